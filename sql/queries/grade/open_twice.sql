-- Institutions with more than one grade in force and no successor: a run
-- recorded its new grades and died before it marked the old ones
-- superseded (lifecycle's closeReplaced mends them). Rows of runs that
-- never finished do not count: they are not in force.
SELECT h.uscc
FROM grade_history AS h FINAL
INNER JOIN grade_runs AS r FINAL ON r.run_id = h.run_id
WHERE r.finished IS NOT NULL AND h.valid_from IS NOT NULL AND h.superseded_on IS NULL
GROUP BY h.uscc
HAVING count() > 1
ORDER BY h.uscc
