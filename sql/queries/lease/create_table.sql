-- Leases: who may run a job that writes (and who may migrate the schema)
-- across every process and host sharing the database. A lease is a claim
-- row with an expiry in the engine's clock, so a process that dies loses
-- it when the expiry passes; nothing has to vanish with the process.
-- Rows are rewritten (same name and token, higher version) to renew or
-- release a claim.
CREATE TABLE IF NOT EXISTS leases {{.OnCluster}} (
    name       LowCardinality(String) COMMENT 'what is leased: schema, jobs',
    token      String COMMENT 'random, one per claim',
    owner      String COMMENT 'host, pid, program and job of the claimant',
    claimed_at DateTime64(3, 'Asia/Shanghai') COMMENT 'engine time of the claim',
    expires_at DateTime64(3, 'Asia/Shanghai') COMMENT 'engine time the claim lapses unless renewed; = claimed_at once released',
    version    UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (name, token)
TTL toDateTime(expires_at) + INTERVAL 30 DAY
