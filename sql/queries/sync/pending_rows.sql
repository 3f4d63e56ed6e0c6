-- The records of a snapshot in page order. A page fetched more than once
-- (a run resumed after dying between storing a page and moving on) is
-- read from its latest fetch only.
SELECT page, seq, header, fields, encoding
FROM sync_pending
WHERE source = {source:String} AND snapshot_id = {snapshot_id:String} AND seq > 0
  AND (page, fetch_id) IN (
      SELECT page, argMax(fetch_id, fetched_at)
      FROM sync_pending
      WHERE source = {source:String} AND snapshot_id = {snapshot_id:String} AND seq = 0
      GROUP BY page
  )
ORDER BY page, seq
