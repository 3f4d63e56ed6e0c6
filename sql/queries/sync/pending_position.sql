-- Where an open snapshot stands: the position after its last stored page
-- (latest fetch), how many pages and records it holds.
SELECT argMaxIf(position, (page, fetched_at), seq = 0), uniqExactIf(page, seq = 0), countIf(seq > 0)
FROM sync_pending
WHERE source = {source:String} AND snapshot_id = {snapshot_id:String}
