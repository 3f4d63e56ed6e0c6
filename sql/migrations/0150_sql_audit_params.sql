-- The values of an audited query's parameters and its settings in the URL
-- (docs/security.md, audit trail): `WHERE uscc = {u:String}` with param_u
-- in the URL says which institution was looked at only with the value
-- beside it, and limit=, offset= or max_result_rows= change what a
-- statement answered without showing in it.

ALTER TABLE sql_audit {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS params Map(String, String) DEFAULT map() COMMENT '查询参数 the values of the query''s parameters (param_<name> in the URL), each its first and last 512 bytes past 1 KiB' AFTER reads,
    ADD COLUMN IF NOT EXISTS settings Map(String, String) DEFAULT map() COMMENT 'URL 设置 the settings given in the URL (limit, max_result_rows, …), as sent, each its first and last 512 bytes past 1 KiB' AFTER params;
