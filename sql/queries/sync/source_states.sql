-- Per source: an open (interrupted) snapshot, if any, and its pages. A
-- record row holds a page's records as a JSON array of arrays (older
-- versions wrote one row per record).
SELECT s.source, s.snapshot_id, s.snapshot_started, uniqExactIf(p.page, p.seq = 0 AND p.snapshot_id != '') AS pages, sumIf(if(startsWith(p.fields, '[['), JSONLength(p.fields), 1), p.seq > 0) AS records
FROM sync_state AS s FINAL
LEFT JOIN sync_pending AS p ON p.source = s.source AND p.snapshot_id = s.snapshot_id
WHERE s.snapshot_id != ''
GROUP BY s.source, s.snapshot_id, s.snapshot_started
