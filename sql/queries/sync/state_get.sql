-- A source's open snapshot, if any, and its watermark.
SELECT snapshot_id, snapshot_started, watermark
FROM sync_state FINAL
WHERE source = {source:String}
