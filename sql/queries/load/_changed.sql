{{/* The parts the change detections share (changed_rows and its _kept
     variants): the batch's part to compare, the last row of each key in it
     (a file may repeat a key; the later line wins), and the filter that
     keeps the rows whose key and content hash are not stored already — and,
     when the columns kept as extra are carried over (load's extraKept),
     whose extra is not either: the row hash covers the contract's columns
     only, and extra is compared by its columns and values, whoever wrote
     its JSON. */}}
{{define "extra_hash"}}cityHash64(arraySort(JSONExtractKeysAndValues(extra, 'String'))){{end}}
{{define "latest"}}latest AS (
    SELECT *
    FROM {{.Stage}}
    WHERE cityHash64({{.Key}}) % {parts:UInt64} = {part:UInt64}
    ORDER BY source_line DESC
    LIMIT 1 BY {{.Key}}
){{end}}
{{define "not_stored"}}({{.Key}}, row_hash{{if .ExtraCompared}}, {{template "extra_hash"}}{{end}}) NOT IN (
    SELECT {{.Key}}, row_hash{{if .ExtraCompared}}, {{template "extra_hash"}}{{end}} FROM {{.Table}} FINAL
    WHERE ({{.Key}}) IN (SELECT {{.Key}} FROM {{.Stage}} WHERE cityHash64({{.Key}}) % {parts:UInt64} = {part:UInt64})
){{end}}
