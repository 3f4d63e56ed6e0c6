-- The list pages a run fetched, as received: in raw_pages, written as they
-- are fetched (pages stored by earlier versions stay in sync_pending until
-- their snapshot closes). A page of an open snapshot is in both, its row
-- in sync_pending without its body: the one with the body wins. Failed
-- answers (error != '') are evidence, not pages of the listing. The
-- status and address are the answer's, which a replay judges as the run
-- did (a 404 past the end ends the listing).
SELECT page, argMax(b, (at, b != '')) AS body, argMax(enc, (at, b != '')) AS encoding,
       argMax(st, (at, b != '')) AS status, argMax(u, (at, b != '')) AS url
FROM (
    SELECT page, body AS b, encoding AS enc, status AS st, url AS u, fetched_at AS at FROM raw_pages WHERE run_id = {run_id:String} AND error = ''
    UNION ALL
    SELECT page, body, encoding, status, url, fetched_at FROM sync_pending WHERE run_id = {run_id:String} AND seq = 0
)
GROUP BY page
ORDER BY page
