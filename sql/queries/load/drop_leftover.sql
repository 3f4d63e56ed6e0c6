-- No SYNC, as drop_stage.
DROP TABLE IF EXISTS {{.Table}}
