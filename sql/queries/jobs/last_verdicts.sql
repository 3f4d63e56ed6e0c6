-- Each job's last verdict (did its latest run that ended succeed) and
-- last success, so the daemon's metrics start from the stored runs
-- instead of from nothing. A run still 'running' or 'interrupted' gives
-- no verdict.
SELECT job,
       toUInt8(countIf(status NOT IN ('running', 'interrupted')) > 0) AS has_verdict,
       toUInt8(argMaxIf(status NOT IN ('failed', 'degraded'), started_at, status NOT IN ('running', 'interrupted'))) AS last_ok,
       toUInt8(countIf(status IN ('ok', 'ok_with_errors')) > 0) AS has_success,
       maxIf(ifNull(finished_at, started_at), status IN ('ok', 'ok_with_errors')) AS last_success
FROM job_runs FINAL
WHERE step = ''
GROUP BY job
ORDER BY job
