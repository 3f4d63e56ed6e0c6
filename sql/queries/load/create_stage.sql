-- A batch is first written to a stage table of the same structure, so
-- that deduplication and change detection happen in ClickHouse. The stage
-- lives on the node that loads, even on a cluster.
CREATE TABLE {{.Stage}} AS {{.Table}} ENGINE = MergeTree ORDER BY tuple()
