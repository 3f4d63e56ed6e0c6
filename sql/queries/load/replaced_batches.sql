-- The batches of a list up to {batch_id}, the latest first, with what
-- they were made from: a batch recorded without reading its input
-- (load.Repeat) has the digest of the one before it, which wrote its
-- records. Failed batches wrote nothing.
SELECT batch_id, digest, source_ref
FROM import_batches
WHERE list = {list:String} AND status != 'failed'
  AND (finished_at, started_at) <= (
    SELECT (finished_at, started_at) FROM import_batches
    WHERE batch_id = {batch_id:String} AND list = {list:String} AND status != 'failed'
    LIMIT 1)
ORDER BY finished_at DESC, started_at DESC
LIMIT 1000
