SELECT owner, toString(acquired_at) FROM schema_migrations_lock LIMIT 1
