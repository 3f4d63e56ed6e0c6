-- When each job's last run started: the schedule compares it with the
-- times its spec gave since, to say which firings were missed while no
-- daemon ran.
SELECT job, max(started_at) AS last_started
FROM job_runs FINAL
WHERE step = ''
GROUP BY job
ORDER BY job
