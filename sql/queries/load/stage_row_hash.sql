-- The engine computes each staged row's content hash as the row is
-- written: cityHash64 of the tuple of the contract columns, each hashed
-- by its value (a NULL apart from every value; migration 0110). The same
-- formula is in the generator's SQL (gen/*.sql) and in 0110, which
-- rehashed what was stored before.
ALTER TABLE {{.Stage}} MODIFY COLUMN row_hash UInt64 DEFAULT cityHash64(tuple({{.Hashed}}))
