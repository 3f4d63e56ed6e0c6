-- Small blocks: each is sorted and written as a part of the stage, and
-- larger ones took the engine over 1.5 GiB on a 5 M-row file.
INSERT INTO {{.Input}}
SELECT _row_number, {{.Canonical}}, {{.Fields}}
FROM {{template "csv_file" .}}
{{template "csv_settings"}}, min_insert_block_size_rows = 65536, min_insert_block_size_bytes = 16777216, max_block_size = 16384
