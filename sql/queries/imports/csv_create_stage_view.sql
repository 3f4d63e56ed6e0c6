-- The canonical records, as load.Load would stage them: the input table
-- holds them already (csv_read_file), with their hash.
CREATE MATERIALIZED VIEW {{.StageView}} TO {{.Stage}}
AS SELECT {{.Columns}}, row_hash
FROM {{.Input}}
WHERE fast_canonical
