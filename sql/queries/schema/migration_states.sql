SELECT version, name, checksum, status, statements, statements_done, error
FROM schema_migrations FINAL
ORDER BY version
