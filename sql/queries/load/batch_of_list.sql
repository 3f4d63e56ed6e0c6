-- Whether {batch_id} is a batch written to the list: the batch a
-- corrected file replaces must be one.
SELECT count() > 0
FROM import_batches
WHERE batch_id = {batch_id:String} AND list = {list:String} AND status != 'failed'
