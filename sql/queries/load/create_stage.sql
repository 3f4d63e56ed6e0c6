-- A batch is first written to a stage table, so that deduplication and
-- change detection happen in ClickHouse. It has the list's columns and
-- sorting key (so its parts can be attached to the list's table as they
-- are), but a plain MergeTree engine, which keeps a key repeated in the
-- batch for the loader to see. The stage lives on the node that loads,
-- even on a cluster.
CREATE TABLE {{.Stage}} AS {{.Table}} ENGINE = MergeTree ORDER BY {{.Order}}
