-- The list pages a run fetched, as received: archived in raw_pages once
-- their snapshot closed, still in sync_pending while it is open. Failed
-- answers (error != '') are evidence, not pages of the listing.
SELECT page, argMax(body, fetched_at) AS body, argMax(encoding, fetched_at) AS encoding
FROM (
    SELECT page, body, encoding, fetched_at FROM raw_pages WHERE run_id = {run_id:String} AND error = ''
    UNION ALL
    SELECT page, body, encoding, fetched_at FROM sync_pending WHERE run_id = {run_id:String} AND seq = 0
)
GROUP BY page
ORDER BY page
