INSERT INTO schema_migrations_lock (owner, acquired_at)
VALUES ({owner:String}, now64(3))
