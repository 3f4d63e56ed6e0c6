-- changed_rows for a batch whose input lacks some of the list's columns
-- ({{.Kept}}): a column the file does not have is unknown, not empty, so
-- a record already stored keeps its stored values there (a register
-- sent without 承诺书签订日期 must not erase the commitments on file); a
-- new record takes what the input gave (the column's default). The row
-- hash is computed again over the values kept, by the stage's formula.
WITH {{template "latest" .}},
stored AS (
    SELECT {{.Key}}, {{.Kept}}, 1 AS _stored
    FROM {{.Table}} FINAL
    WHERE ({{.Key}}) IN (SELECT {{.Key}} FROM {{.Stage}} WHERE cityHash64({{.Key}}) % {parts:UInt64} = {part:UInt64})
),
merged AS (
    SELECT {{.KeptSelect}}
    FROM latest AS n
    LEFT JOIN stored AS o USING ({{.Key}})
)
SELECT {{.Columns}}
FROM (SELECT * REPLACE (cityHash64(tuple({{.Hashed}})) AS row_hash) FROM merged)
WHERE {{template "not_stored" .}}
