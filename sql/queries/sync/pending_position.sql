-- Where an open snapshot stands: the position after its last stored page
-- (latest fetch), how many pages and records it holds.
-- A record row holds a page's records as a JSON array of arrays (older
-- versions wrote one row per record).
SELECT argMaxIf(position, (page, fetched_at), seq = 0), uniqExactIf(page, seq = 0),
       sumIf(if(startsWith(fields, '[['), JSONLength(fields), 1), seq > 0)
FROM sync_pending
WHERE source = {source:String} AND snapshot_id = {snapshot_id:String}
