-- Size of the source's last complete snapshot, for the shrink assertion.
SELECT rows
FROM sync_runs FINAL
WHERE source = {source:String} AND status = 'ok' AND complete
ORDER BY finished_at DESC
LIMIT 1
