-- The job runs recorded as running (a run's own row), to name those a
-- dead process left (jobs/interrupt_dead.sql).
SELECT job, run_id, started_at
FROM job_runs FINAL
WHERE status = 'running' AND step = ''
ORDER BY started_at, run_id
