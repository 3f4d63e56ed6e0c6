-- The input table's own columns: the record's row number after the
-- header, whether it is canonical, and the file's fields as read.
ALTER TABLE {{.Input}}
    ADD COLUMN fast_row UInt64,
    ADD COLUMN fast_canonical Bool,
    {{.AddFields}}
