-- 最近一次夜间动态调整改变了哪些等级
-- What the last nightly regrade changed: each grade it lowered, with reasons.
SELECT
    county_name, uscc, name, from_grade, to_grade, changed_on,
    arrayStringConcat(clause_texts, '；') AS reasons
FROM v_grade_changes
WHERE run_id = (
    SELECT argMax(run_id, started) FROM grade_runs
    WHERE kind = 'regrade' AND finished IS NOT NULL
)
ORDER BY county_code, uscc
