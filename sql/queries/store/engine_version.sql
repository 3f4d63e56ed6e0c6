-- The engine's clock in nanoseconds: the base of the row versions of one
-- operation (store.Version), so that versions written from different
-- hosts order by one clock, not by each host's own.
SELECT toUnixTimestamp64Nano(now64(9))
