-- 某日的等级与今天的等级对比（只列出不同的）
-- Grades on a past day against today's: the institutions whose grade
-- differs (NULL: no grade in effect that day). Parameter: day.
--   creditsync sql --param_day=2026-09-01 --queries-file docs/cookbook/06_grades_on_a_day_versus_today.sql
SELECT
    uscc,
    if(t.uscc != '', t.name, p.name) AS name,
    if(t.uscc != '', t.county_name, p.county_name) AS county_name,
    nullIf(p.grade, '') AS grade_then,
    nullIf(t.grade, '') AS grade_today,
    arrayStringConcat(t.clause_texts, '；') AS reasons_today
FROM (SELECT * FROM v_grades_on(day = {day:Date})) AS p
FULL OUTER JOIN v_current_grades AS t USING (uscc)
WHERE p.grade != t.grade
ORDER BY county_name, uscc
