-- A closing snapshot's pages move to raw_pages, where every page fetched
-- is kept.
INSERT INTO raw_pages (source, run_id, page, url, fetched_at, status, sha256, bytes, encoding, error, body)
SELECT source, run_id, page, url, fetched_at, status, sha256, bytes, encoding, '', body
FROM sync_pending
WHERE source = {source:String} AND seq = 0
