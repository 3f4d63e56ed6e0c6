-- A source's open snapshot, if any, its watermark, and the columns of its
-- last complete snapshot.
SELECT snapshot_id, snapshot_started, watermark, columns
FROM sync_state FINAL
WHERE source = {source:String}
