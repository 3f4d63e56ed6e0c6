INSERT INTO {{.Odd}}
SELECT _row_number, {{.Fields}}
FROM {{template "csv_file" .}}
WHERE NOT {{.Canonical}}
{{template "csv_settings"}}
