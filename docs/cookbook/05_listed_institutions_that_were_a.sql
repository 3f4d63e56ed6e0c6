-- 上一次年度评价为A级、之后被列入失信/异常名单或受到行政处罚的机构
-- Institutions graded A in the latest annual evaluation that have since
-- appeared on an external list (matched by USCC or by name).
WITH last_eval AS (
    SELECT run_id, as_of FROM grade_runs
    WHERE kind = 'evaluate' AND finished IS NOT NULL
    ORDER BY year DESC, as_of DESC
    LIMIT 1
)
SELECT
    l.county_name AS county_name, l.uscc AS uscc, l.institution_name AS name,
    l.list_zh AS list, l.on_date AS on_date, l.matched_by_zh AS matched_by,
    coalesce(l.reason, l.grade) AS detail
FROM v_list_records AS l
INNER JOIN v_grade_history AS h ON h.uscc = l.uscc
WHERE h.run_id = (SELECT run_id FROM last_eval)
  AND h.grade = 'A'
  AND l.on_date > (SELECT as_of FROM last_eval)
  AND (l.list != 'public_eval' OR l.grade IN ('C', 'D'))
ORDER BY l.county_code, l.uscc, l.on_date
