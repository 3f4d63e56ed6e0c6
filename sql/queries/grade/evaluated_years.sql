-- Finished evaluation runs of one year, to refuse evaluating it twice.
SELECT run_id, as_of
FROM grade_runs FINAL
WHERE kind = 'evaluate' AND year = {year:UInt16} AND finished IS NOT NULL
ORDER BY started
