-- The records a corrected file withdraws: those whose current version
-- the batch it replaces ({replaces}) wrote, and that the corrected file
-- (the stage) lacks. Each key once.
SELECT {{.Key}}
FROM {{.Table}} FINAL
WHERE batch_id = {replaces:String}
  AND ({{.Key}}) NOT IN (SELECT {{.Key}} FROM {{.Stage}})
ORDER BY {{.Key}}
