-- What an audited query read and answered (docs/security.md, audit
-- trail): read_rows was the rows of the answer, and a query summing a
-- million rows recorded 1. It is now the rows the engine read (its
-- progress), 0 for a county token, whose views read the whole city's
-- rows below their filter; result_rows is the answer's. The query's
-- column comment is restated as the code keeps it.

ALTER TABLE sql_audit {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS result_rows UInt64 DEFAULT 0 COMMENT '结果行数 the rows of the answer' AFTER read_rows,
    COMMENT COLUMN read_rows '读取行数 the rows the engine read (its progress); 0 for a county token, whose views read every county''s rows below their filter',
    COMMENT COLUMN query '查询文本 the query as sent; its first and last 8 KiB when longer than 16 KiB';
