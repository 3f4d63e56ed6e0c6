-- A run is written when it starts (status running) and again, with a
-- higher version, when it ends.
INSERT INTO sync_runs
    (run_id, source, list, mode, snapshot_id, started_at, finished_at, status, complete, pages, rows, rejected,
     added, modified, removed, unchanged, unused_fields, error, claimed, pending_removals, held_removals, held_changes,
     restored, mislabelled, skipped_checks, version)
VALUES
    ({run_id:String}, {source:String}, {list:String}, {mode:String}, {snapshot_id:String},
     {started_at:DateTime64(3, 'UTC')}, {finished_at:Nullable(DateTime64(3, 'UTC'))}, {status:String}, {complete:Bool},
     {pages:UInt32}, {rows:UInt64}, {rejected:UInt64}, {added:UInt64}, {modified:UInt64}, {removed:UInt64},
     {unchanged:UInt64}, {unused_fields:Array(String)}, {error:String}, {claimed:Int64}, {pending_removals:UInt64},
     {held_removals:UInt64}, {held_changes:UInt64}, {restored:UInt64}, {mislabelled:Array(String)}, {skipped_checks:Array(String)},
     {version:UInt64})
