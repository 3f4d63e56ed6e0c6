-- The audit trail of the SQL endpoint (docs/security.md): one row
-- for every request that reached it with a query, allowed or refused. It
-- keeps the token's name, never the token. county_code is the token's
-- county ('' for the city token), so a county token reads its own rows
-- through its scoped views and the city token reads all.

CREATE TABLE IF NOT EXISTS sql_audit {{.OnCluster}} (
    at           DateTime64(3, 'Asia/Shanghai') COMMENT '请求时间 when the request arrived',
    token        LowCardinality(String) COMMENT '令牌名称 the name of the token, "(none)" when no token was accepted',
    county_code  LowCardinality(String) COMMENT '令牌所属县区 the token''s county; empty for the city',
    remote       String COMMENT '客户端地址 the client''s address (X-Forwarded-For from trusted proxies only)',
    query_id     String,
    query        String COMMENT '查询文本 the query, cut to 4 KiB',
    kind         LowCardinality(String) COMMENT 'SELECT, DESCRIBE, SHOW TABLES, KILL QUERY, … as the engine parsed it; empty when not parsed',
    outcome      LowCardinality(String) COMMENT 'ok | denied | error | cancelled',
    error        String,
    read_rows    UInt64,
    result_bytes UInt64,
    duration_ms  UInt64
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(at)
ORDER BY (at, query_id)
TTL toDateTime(at) + INTERVAL 2 YEAR
COMMENT 'SQL 接口审计记录 audit trail of the SQL endpoint';
