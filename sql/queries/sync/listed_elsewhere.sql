-- Records of a list that another source still lists, with the version
-- that source publishes: a source's end or removal of a record does not
-- replace the version of a source that still lists it in force, and a
-- source that stops listing it hands it over (docs/sync.md §4).
SELECT record_key, source, record, extra
FROM external_records FINAL
WHERE list = {list:String} AND source != {source:String} AND removed_on IS NULL
  AND record_key IN {keys:Array(String)}
