-- Every record with its row number, whether it is canonical, its fields,
-- and what load.Load would store for it (the values of contract.Canonical
-- and the batch's metadata; the line is the row number after the header's
-- line, shifted by multi-line records above, see csv_multiline). Values
-- of records that are not canonical are computed and dropped.
INSERT INTO {{.Input}} (fast_row, fast_canonical, {{.Fields}}, {{.Columns}})
SELECT _row_number, {{.Canonical}}, {{.Fields}},
    {{.Values}},
    {{.Meta}}
FROM {{template "csv_file" .}}
{{template "csv_settings"}}, {{template "csv_blocks"}}
