-- How many records' current versions the batch a corrected file replaces
-- ({replaces}) wrote, and how many of those the corrected file (the stage)
-- shares something with: the record, or its institution (its USCC, its
-- name), since the correction of a mistyped key (a listing's date) is
-- another record of the same institution. None is another file than the
-- one it corrects.
SELECT count(), countIf(({{.Key}}) IN (SELECT {{.Key}} FROM {{.Stage}})
    {{- range .SharedBy}}
    OR ({{.}} != '' AND {{.}} IN (SELECT {{.}} FROM {{$.Stage}})){{end}})
FROM {{.Table}} FINAL
WHERE batch_id = {replaces:String}
