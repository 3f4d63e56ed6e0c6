-- The statement of each audited query as the engine parsed it and wrote
-- it back (docs/security.md, audit trail): comments and layout gone, so a
-- long comment in front no longer pushes what ran out of the kept text.
-- The query as sent is kept too, its head and tail past 16 KiB.

ALTER TABLE sql_audit {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS statement String DEFAULT '' COMMENT '执行语句 the statement as the engine parsed it, comments removed; empty when it could not be parsed' AFTER query,
    COMMENT COLUMN query '查询文本 the query as sent; its first and last 8 KiB when longer than 16 KiB';
