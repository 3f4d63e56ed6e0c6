-- 现行D级机构的证据：条款、记录及日期
-- The evidence behind every D grade in effect today: each clause and record.
SELECT
    g.county_name AS county_name, g.uscc AS uscc, g.name AS name,
    e.clause AS clause, e.clause_text AS clause_text,
    e.kind_zh AS record_kind, e.record_id AS record_id, e.date AS date, e.detail AS detail
FROM v_current_grades AS g
INNER JOIN v_clause_evidence AS e ON e.uscc = g.uscc AND e.run_id = g.run_id
WHERE g.grade = 'D'
ORDER BY g.county_code, g.uscc, e.clause, e.date
