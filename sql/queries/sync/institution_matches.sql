-- Institutions by normalised name, for external records without a USCC.
SELECT name_key, groupArray(uscc)
FROM institutions FINAL
WHERE name_key IN {name_keys:Array(String)}
GROUP BY name_key
