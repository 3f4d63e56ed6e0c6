-- The last page an open snapshot stored (latest fetch): its number, its
-- digest, and the position it was fetched from — the position after the
-- page before it ('' for page 1) — with whether that page is stored. A
-- resume fetches it again from there to see the listing has not shifted
-- since (listsync's resume).
WITH pages AS (
    SELECT page, argMax(page_digest, fetched_at) AS digest, argMax(position, fetched_at) AS after
    FROM sync_pending
    WHERE source = {source:String} AND snapshot_id = {snapshot_id:String} AND seq = 0
    GROUP BY page
)
SELECT page, digest, if(page <= 1, '', prev_after), toUInt64(page <= 1 OR prev_page = page - 1)
FROM (
    SELECT page, digest,
           lagInFrame(after) OVER (ORDER BY page ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prev_after,
           lagInFrame(page) OVER (ORDER BY page ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prev_page
    FROM pages
)
ORDER BY page DESC
LIMIT 1
