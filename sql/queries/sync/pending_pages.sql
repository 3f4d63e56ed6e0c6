-- The pages of a snapshot in order, each from its latest fetch, with the
-- record count the source claimed on it and its address (redacted).
SELECT page, argMax(claimed, fetched_at), argMax(url, fetched_at)
FROM sync_pending
WHERE source = {source:String} AND snapshot_id = {snapshot_id:String} AND seq = 0
GROUP BY page
ORDER BY page
