-- Rows of the stage that are new or differ from what is stored: the last
-- row per key within the batch (a file may repeat a key; the later line
-- wins), minus keys whose stored row has the same content hash. A large
-- batch is compared in parts ({part} of {parts}, by a hash of the key), so
-- the engine's memory stays bounded whatever the batch size.
WITH latest AS (
    SELECT *
    FROM {{.Stage}}
    WHERE cityHash64({{.Key}}) % {parts:UInt64} = {part:UInt64}
    ORDER BY source_line DESC
    LIMIT 1 BY {{.Key}}
)
SELECT {{.Columns}}
FROM latest
WHERE ({{.Key}}, row_hash) NOT IN (
    SELECT {{.Key}}, row_hash FROM {{.Table}} FINAL
    WHERE ({{.Key}}) IN (SELECT {{.Key}} FROM {{.Stage}} WHERE cityHash64({{.Key}}) % {parts:UInt64} = {part:UInt64})
)
