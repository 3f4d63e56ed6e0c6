INSERT INTO schema_migrations
    (version, name, checksum, status, statements, statements_done, error, started_at, updated_at, applied_by)
VALUES
    ({version:UInt32}, {name:String}, {checksum:String}, {status:String}, {statements:UInt32},
     {done:UInt32}, {error:String}, {started_at:DateTime64(3, 'UTC')}, now64(6), {by:String})
