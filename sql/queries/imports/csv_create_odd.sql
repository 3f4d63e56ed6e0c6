-- The records of a CSV file that are not canonical (contract.Canonical),
-- with their row numbers, for Go to read and validate. Named like a
-- stage table, so a crashed import's is swept with it.
CREATE TABLE {{.Odd}} (row UInt64, {{.Typed}}) ENGINE = MergeTree ORDER BY row
