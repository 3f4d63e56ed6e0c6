-- What a source has published of a list, as last seen, and where each
-- record's removal stands, and any change it shows that waits for a
-- person.
SELECT record_key, uscc, name, row_hash, record, extra, first_seen, last_seen, last_snapshot, removed_on,
       missed_on, missed_snapshot, missed_at, removal_held, held_record, held_hash, held_extra, held_why, held_since
FROM external_records FINAL
WHERE source = {source:String} AND list = {list:String}
