-- The migration log: one row per version, replaced as its status moves
-- from started to applied or failed.
CREATE TABLE IF NOT EXISTS schema_migrations {{.OnCluster}} (
    version         UInt32,
    name            String,
    checksum        String,
    status          LowCardinality(String) COMMENT 'started | applied | failed',
    statements      UInt32,
    statements_done UInt32,
    error           String,
    started_at      DateTime64(3, 'Asia/Shanghai'),
    updated_at      DateTime64(6, 'Asia/Shanghai'),
    applied_by      String
) ENGINE = {{engine "ReplacingMergeTree(updated_at)"}}
ORDER BY version
