-- Per source: records listed now, and records it has dropped.
SELECT source, countIf(removed_on IS NULL) AS listed, countIf(removed_on IS NOT NULL) AS removed
FROM external_records FINAL
GROUP BY source
