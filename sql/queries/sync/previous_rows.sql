-- Size of the source's last complete snapshot: for the shrink assertion,
-- and for the HTML client to tell whether a lone first page may be full.
SELECT rows, rejected
FROM sync_runs FINAL
WHERE source = {source:String} AND status = 'ok' AND complete
ORDER BY finished_at DESC
LIMIT 1
