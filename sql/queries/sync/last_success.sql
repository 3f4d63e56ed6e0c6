-- When the source last synced successfully (NULL: never).
SELECT max(finished_at) FROM sync_runs FINAL WHERE source = {source:String} AND status = 'ok'
