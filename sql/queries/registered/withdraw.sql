-- The copy follows a withdrawal from its list (load/withdraw): the same
-- keys go from it first, while the list still names them.
DELETE FROM {{.List}}_registered
WHERE ({{.Key}}) IN (
    SELECT {{.Key}} FROM {{.List}} FINAL
    WHERE batch_id = {replaces:String}
      AND ({{.Key}}) NOT IN (SELECT {{.Key}} FROM {{.Stage}})
)
