-- 最近一次夜间任务的各步骤：状态、耗时、计数、错误
-- The last nightly run step by step: status, duration, counts and error.
-- Times are shown in Asia/Shanghai.
SELECT
    seq, step, status, required,
    toTimeZone(started_at, 'Asia/Shanghai') AS started,
    dateDiff('millisecond', started_at, finished_at) AS ms,
    counts,
    error
FROM job_runs
WHERE job = 'nightly' AND step != ''
  AND run_id = (SELECT argMax(run_id, started_at) FROM job_runs WHERE job = 'nightly' AND step = '')
ORDER BY seq
