-- The last line staged, to tell whether blank rows read in Go are
-- followed by a record.
SELECT max(source_line) FROM {{.Stage}}
