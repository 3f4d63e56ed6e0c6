INSERT INTO {{.Input}}
SELECT _row_number, {{.Canonical}}, {{.Fields}}
FROM {{template "csv_file" .}}
{{template "csv_settings"}}, min_insert_block_size_rows = 262144, min_insert_block_size_bytes = 67108864
