INSERT INTO sync_state (source, snapshot_id, snapshot_started, watermark, columns, updated_at, version)
VALUES ({source:String}, {snapshot_id:String}, {snapshot_started:Nullable(DateTime64(3, 'UTC'))},
        {watermark:Nullable(DateTime64(3, 'UTC'))}, {columns:Array(String)}, now64(3), {version:UInt64})
