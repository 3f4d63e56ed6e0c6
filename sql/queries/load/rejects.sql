-- The rejected records of a batch, one row per field error, in line order.
SELECT line, column, value, reason, raw
FROM import_rejects
WHERE list = {list:String} AND batch_id = {batch_id:String}
ORDER BY line, column
