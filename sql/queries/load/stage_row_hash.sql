-- The engine computes each staged row's content hash as the row is
-- written. The tuple is rendered as text first: hashing Nullable
-- arguments directly yields NULL as soon as one of them is NULL.
ALTER TABLE {{.Stage}} MODIFY COLUMN row_hash UInt64 DEFAULT cityHash64(toString(tuple({{.Hashed}})))
