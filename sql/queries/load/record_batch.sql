INSERT INTO import_batches
    (batch_id, list, source, source_ref, encoding, started_at, finished_at,
     rows_read, rows_loaded, rows_unchanged, rows_rejected, status, error, digest)
VALUES
    ({batch_id:String}, {list:String}, {source:String}, {source_ref:String}, {encoding:String},
     {started_at:DateTime64(3, 'UTC')}, now64(3), {read:UInt64}, {loaded:UInt64}, {unchanged:UInt64},
     {rejected:UInt64}, {status:String}, {error:String}, {digest:String})
