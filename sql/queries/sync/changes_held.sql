-- Changes a source shows to listed records that wait for a person: the
-- version the lists hold, and the one the source shows.
SELECT source, list, record_key, uscc, name, held_record, held_why, held_since, last_seen
FROM external_records FINAL
WHERE removed_on IS NULL AND held_hash != ''
  AND (source = {source:String} OR {source:String} = '')
ORDER BY source, held_since, record_key
