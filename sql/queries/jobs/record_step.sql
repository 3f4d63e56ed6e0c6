INSERT INTO job_runs
    (run_id, job, step, seq, required, status, started_at, finished_at, counts, summary, error, host, version)
VALUES
    ({run_id:String}, {job:String}, {step:String}, {seq:UInt16}, {required:Bool}, {status:String},
     {started_at:DateTime64(3, 'UTC')}, {finished_at:Nullable(DateTime64(3, 'UTC'))},
     mapFromArrays({count_keys:Array(String)}, {count_values:Array(Int64)}),
     {summary:String}, {error:String}, {host:String}, toUnixTimestamp64Micro(now64(6)))
