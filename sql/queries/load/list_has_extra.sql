-- Whether any record of the list keeps columns as extra (备注 …): a file
-- without them must then carry them over from the records it changes.
SELECT count() > 0 FROM (SELECT 1 FROM {{.Table}} WHERE extra != '' LIMIT 1)
