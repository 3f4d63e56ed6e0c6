-- The rows for Go that span several lines, and how many newlines each
-- holds (encoding/csv keeps one per line end, \r\n or \n).
SELECT row, toInt64({{.Newlines}}) AS newlines FROM {{.Odd}} WHERE newlines > 0 ORDER BY row
