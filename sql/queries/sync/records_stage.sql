-- The rows of external_records a complete snapshot writes go first to a
-- stage table, while the snapshot's batch loads, and are attached to
-- external_records only once the load succeeded (records_attach): a
-- failed load leaves external_records as it was. Same columns and
-- sorting key, so its parts can be attached as they are; the stage lives
-- on the node that syncs, as a load's does.
CREATE TABLE {{.Stage}} AS external_records ENGINE = MergeTree ORDER BY (source, list, record_key)
