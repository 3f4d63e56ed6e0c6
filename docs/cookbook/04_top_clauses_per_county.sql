-- 各区县现行等级中最常见的条款
-- The clauses that hold most often in each county's grades in effect today.
SELECT
    g.county_name AS county_name,
    clause,
    any(c.text) AS text,
    count() AS institutions
FROM v_current_grades AS g
ARRAY JOIN g.clauses AS clause
INNER JOIN clauses AS c ON c.id = clause
GROUP BY g.county_code, county_name, clause
ORDER BY g.county_code, institutions DESC, clause
LIMIT 3 BY g.county_code
