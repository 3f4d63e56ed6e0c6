-- Rows the generator wrote to a table: physical rows, as the table was
-- emptied first and every generated key is distinct.
SELECT count() FROM {table:Identifier} WHERE batch_id = {batch_id:String} SETTINGS final = 0
