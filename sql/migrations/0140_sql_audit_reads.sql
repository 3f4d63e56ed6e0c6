-- What each audited query read, as the engine resolved it (docs/security.md,
-- audit trail): the tables and views behind the statement, whole, however
-- long the statement and whatever padding in its text pushes out of the
-- kept head and tail.

ALTER TABLE sql_audit {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS reads Array(String) DEFAULT [] COMMENT '读取的表 the tables the statement read, as the engine resolved them (database.table); empty when it was refused before or read none' AFTER statement;
