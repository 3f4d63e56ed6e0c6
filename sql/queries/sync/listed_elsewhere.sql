-- Records of a list that another source still lists: the source that
-- dropped them does not get to mark them removed in the list.
SELECT record_key
FROM external_records FINAL
WHERE list = {list:String} AND source != {source:String} AND removed_on IS NULL
  AND record_key IN {keys:Array(String)}
