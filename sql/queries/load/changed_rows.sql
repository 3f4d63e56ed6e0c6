-- Rows of the stage that are new or differ from what is stored: the last
-- row per key within the batch (a file may repeat a key; the later line
-- wins), minus keys whose stored row has the same content hash. A large
-- batch is compared in parts ({part} of {parts}, by a hash of the key), so
-- the engine's memory stays bounded whatever the batch size.
WITH {{template "latest" .}}
SELECT {{.Columns}}
FROM latest
WHERE {{template "not_stored" .}}
