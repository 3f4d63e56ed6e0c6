-- Rows a batch actually wrote: physical rows carrying its id, whether or
-- not a later batch has replaced them since.
SELECT count() FROM {{.Table}} WHERE batch_id = {batch_id:String} SETTINGS final = 0
