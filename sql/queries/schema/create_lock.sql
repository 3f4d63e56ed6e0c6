-- The migration lock. CREATE TABLE without IF NOT EXISTS succeeds for
-- exactly one caller, on both engines, so the table's existence is the
-- lock. A Memory table disappears with the engine, so an embedded process
-- that died cannot leave it behind.
CREATE TABLE schema_migrations_lock {{.OnCluster}} (
    owner       String,
    acquired_at DateTime64(3, 'UTC')
) ENGINE = Memory
