-- What the open snapshot stored of the listing's first page (latest
-- fetch): its digest and the record count it claimed.
SELECT argMax(page_digest, fetched_at), argMax(claimed, fetched_at)
FROM sync_pending
WHERE source = {source:String} AND snapshot_id = {snapshot_id:String} AND seq = 0 AND page = 1
HAVING count() > 0
