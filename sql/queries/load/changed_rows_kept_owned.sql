-- changed_rows_kept for the lists keyed by name and date (abnormal,
-- dishonest, public_eval), whose rows of one institution and date are
-- versions of one record to grading, the one loaded last counting: a
-- file without 企业名称, without the USCC, or under another name writes
-- such a row under another key. A column the file does not have takes
-- the value of that record's latest version — by the row's USCC and date,
-- or a version without a USCC under its name; by its name and date for a
-- row without a USCC — so a file without 移出日期 does not list again what
-- was removed. The row hash is computed again over the values kept.
WITH {{template "latest" .}},
by_uscc AS (
    SELECT uscc, {{.On}} AS d, argMax(tuple({{.Kept}}), version) AS v, max(version) AS ver, 1 AS found
    FROM {{.Table}} FINAL
    WHERE uscc != ''
      AND (uscc, {{.On}}) IN (SELECT uscc, {{.On}} FROM latest WHERE uscc != '')
    GROUP BY uscc, d
),
by_name AS (
    SELECT name_key, {{.On}} AS d,
           argMax(tuple({{.Kept}}), version) AS v_any,
           argMaxIf(tuple({{.Kept}}), version, uscc = '') AS v_bare, maxIf(version, uscc = '') AS ver_bare,
           countIf(uscc = '') > 0 AS bare, 1 AS found
    FROM {{.Table}} FINAL
    WHERE name_key != ''
      AND (name_key, {{.On}}) IN (SELECT name_key, {{.On}} FROM latest WHERE name_key != '')
    GROUP BY name_key, d
),
merged AS (
    SELECT {{.KeptSelect}}
    FROM latest AS n
    LEFT JOIN by_uscc AS u ON u.uscc = n.uscc AND u.d = n.{{.On}}
    LEFT JOIN by_name AS b ON b.name_key = n.name_key AND b.d = n.{{.On}}
)
SELECT {{.Columns}}
FROM (SELECT * REPLACE (cityHash64(tuple({{.Hashed}})) AS row_hash) FROM merged)
WHERE {{template "not_stored" .}}
