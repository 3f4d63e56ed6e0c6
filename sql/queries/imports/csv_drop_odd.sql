-- No SYNC, as for the stage (load/drop_stage.sql).
DROP TABLE IF EXISTS {{.Odd}}
