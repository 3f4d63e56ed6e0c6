-- The batch {batch_id} of a list, with where it was read from. Failed
-- batches wrote nothing.
SELECT batch_id, source_ref
FROM import_batches
WHERE list = {list:String} AND status != 'failed'
  AND (finished_at, started_at) <= (
    SELECT (finished_at, started_at) FROM import_batches
    WHERE batch_id = {batch_id:String} AND list = {list:String} AND status != 'failed'
    LIMIT 1)
ORDER BY finished_at DESC, started_at DESC
LIMIT 1000
