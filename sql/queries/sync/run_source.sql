-- The source a sync run belonged to.
SELECT source FROM sync_runs FINAL WHERE run_id = {run_id:String} LIMIT 1
