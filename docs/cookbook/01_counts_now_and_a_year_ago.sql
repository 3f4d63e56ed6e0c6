-- 各区县各等级机构数：今天与一年前
-- How many institutions per county and grade, today and a year ago.
-- Days are Asia/Shanghai days, as everywhere in creditsync.
SELECT
    c.code AS county_code,
    c.name AS county_name,
    g.grade AS grade,
    countIf(g.day = 'today') AS today,
    countIf(g.day = 'a year ago') AS a_year_ago
FROM counties AS c
INNER JOIN (
    SELECT county_code, grade, 'today' AS day
    FROM v_current_grades
    UNION ALL
    SELECT county_code, grade, 'a year ago'
    FROM v_grades_on(day = toDate(now(), 'Asia/Shanghai') - INTERVAL 1 YEAR)
) AS g ON g.county_code = c.code
GROUP BY county_code, county_name, grade
ORDER BY county_code, grade
