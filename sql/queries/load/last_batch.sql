-- The last batch that wrote to a list (failed batches wrote nothing), with
-- what it was made from.
SELECT batch_id, digest, rows_read, rows_loaded + rows_unchanged, rows_rejected, status
FROM import_batches
WHERE list = {list:String} AND status != 'failed'
ORDER BY finished_at DESC, started_at DESC
LIMIT 1
