-- A closing snapshot's pages move to raw_pages, where every page fetched
-- is kept. Pages archived already are skipped: if clearing sync_pending
-- failed after an earlier archive, closing again adds no duplicates.
INSERT INTO raw_pages (source, run_id, page, url, fetched_at, status, sha256, bytes, encoding, error, body)
SELECT source, run_id, page, url, fetched_at, status, sha256, bytes, encoding, '', body
FROM sync_pending
WHERE source = {source:String} AND seq = 0
  -- Pages are written to raw_pages as they are fetched, and their rows
  -- here hold no body; earlier versions kept the body here until now.
  AND (body != '' OR bytes = 0)
  AND (run_id, page, fetched_at, sha256) NOT IN (
      SELECT run_id, page, fetched_at, sha256 FROM raw_pages WHERE source = {source:String}
  )
