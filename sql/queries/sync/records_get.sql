-- What a source has published of a list, as last seen.
SELECT record_key, uscc, name, row_hash, record, extra, first_seen, last_seen, last_snapshot, removed_on
FROM external_records FINAL
WHERE source = {source:String} AND list = {list:String}
