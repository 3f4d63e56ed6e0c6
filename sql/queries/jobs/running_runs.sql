-- How many job runs and syncs are recorded as running (see
-- jobs/interrupt_dead.sql).
SELECT (SELECT count() FROM job_runs FINAL WHERE status = 'running')
     + (SELECT count() FROM sync_runs FINAL WHERE status = 'running')
