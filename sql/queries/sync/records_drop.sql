-- No SYNC, as a load's drop_stage. A stage left by a killed process
-- starts with _stage_, and load.SweepLeftovers drops it.
DROP TABLE IF EXISTS {{.Stage}}
