INSERT INTO sync_state (source, snapshot_id, snapshot_started, watermark, updated_at, version)
VALUES ({source:String}, {snapshot_id:String}, {snapshot_started:Nullable(DateTime64(3, 'UTC'))},
        {watermark:Nullable(DateTime64(3, 'UTC'))}, now64(3), {version:UInt64})
