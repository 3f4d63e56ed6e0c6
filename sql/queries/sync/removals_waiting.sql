-- Records a complete snapshot no longer lists that are not yet removed:
-- pending (waiting for a second snapshot) or held for a person.
SELECT source, list, record_key, uscc, name, missed_on, missed_snapshot, removal_held, last_seen
FROM external_records FINAL
WHERE removed_on IS NULL AND missed_on IS NOT NULL
  AND (source = {source:String} OR {source:String} = '')
ORDER BY source, removal_held DESC, missed_on, record_key
