-- The canonical records, as load.Load would stage them. A view takes no
-- query parameters, so the batch's metadata is written in as literals
-- (quoted by transform.SQLString). The line is the row number after the
-- header's line; multi-line records above shift it (csv_multiline).
CREATE MATERIALIZED VIEW {{.StageView}} TO {{.Stage}}
AS SELECT {{.ValuesAs}},
    {{.Meta}}
FROM {{.Input}}
WHERE canonical
