-- A mutation of the stage (drop_conflicts) runs as a merge, which the
-- fast import stopped (imports/csv_stop_stage_merges).
SYSTEM START MERGES {{.Stage}}
