-- The fast import's tables and views. No SYNC, as for the stage
-- (load/drop_stage.sql).
DROP TABLE IF EXISTS {{.Name}}
