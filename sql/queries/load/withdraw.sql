-- Withdraw the records withdrawn_keys names, every stored version of
-- each (a lightweight delete: readers no longer see them at once). It
-- runs before the corrected batch is attached: interrupted after it, the
-- records the corrected file keeps are still there in their old version,
-- and the same import again completes the correction.
DELETE FROM {{.Table}}
WHERE ({{.Key}}) IN (
    SELECT {{.Key}} FROM {{.Table}} FINAL
    WHERE batch_id = {replaces:String}
      AND ({{.Key}}) NOT IN (SELECT {{.Key}} FROM {{.Stage}})
)
