-- Size of the source's last complete snapshot before a run began: what
-- that run's HTML client was told (see previous_rows), so that its replay
-- asks for the pages it asked for.
SELECT rows, rejected
FROM sync_runs FINAL
WHERE source = {source:String} AND status = 'ok' AND complete
  AND finished_at < (SELECT min(started_at) FROM sync_runs FINAL WHERE run_id = {run_id:String})
ORDER BY finished_at DESC
LIMIT 1
