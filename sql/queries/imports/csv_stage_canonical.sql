-- The canonical records of a CSV file, read again when records above
-- them span several lines (see csv_create_stage_view), written into the
-- batch's stage as load.Load would write them. A record's line is its
-- row number after the header's line, plus the lines that the
-- multi-line records above it took ({breaks}: their row numbers,
-- {extras}: their embedded newlines; all of them are read in Go).
INSERT INTO {{.Stage}} ({{.Columns}})
SELECT {{.Values}},
    {source:String}, {source_ref:String},
    toUInt32(_row_number + 2 + arraySum(arrayMap((b, e) -> if(_row_number > b, e, 0), {breaks:Array(Int64)}, {extras:Array(Int64)}))),
    {batch_id:String}, {loaded_at:DateTime64(3, 'UTC')}, {version:UInt64}, ''
FROM {{template "csv_file" .}}
WHERE {{.Canonical}}
{{template "csv_settings"}}, {{template "csv_blocks"}}
