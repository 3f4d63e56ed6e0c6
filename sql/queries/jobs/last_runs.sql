-- The latest run of every job, step by step.
WITH latest AS (
    SELECT job, argMax(run_id, started_at) AS run_id
    FROM job_runs FINAL
    WHERE step = ''
    GROUP BY job
)
SELECT job, run_id, seq, if(step = '', '(run)', step) AS step, status,
       started_at, finished_at,
       round(dateDiff('millisecond', started_at, finished_at) / 1000, 1) AS seconds,
       arrayStringConcat(arrayMap((k, v) -> concat(k, '=', toString(v)), mapKeys(counts), mapValues(counts)), ' ') AS counts,
       error
FROM job_runs FINAL
WHERE (job, run_id) IN (SELECT job, run_id FROM latest)
ORDER BY job, seq
