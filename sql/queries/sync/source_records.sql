-- Per source: records listed now, records it has dropped, and removals
-- waiting for a second snapshot or for a person, and changes held for a
-- person.
SELECT source,
       countIf(removed_on IS NULL) AS listed,
       countIf(removed_on IS NOT NULL) AS removed,
       countIf(removed_on IS NULL AND missed_on IS NOT NULL AND NOT removal_held) AS pending_removals,
       countIf(removed_on IS NULL AND removal_held) AS held_removals,
       countIf(removed_on IS NULL AND held_hash != '') AS held_changes
FROM external_records FINAL
GROUP BY source
