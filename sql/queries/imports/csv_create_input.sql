-- The fast import reads a CSV file once, into this table of nothing: its
-- two views send each record to the stage (canonical) or to the table
-- of rows for Go (the others). Named like a stage table, so a crashed
-- import's is swept with it.
CREATE TABLE {{.Input}} (row UInt64, canonical Bool, {{.Typed}}) ENGINE = Null
