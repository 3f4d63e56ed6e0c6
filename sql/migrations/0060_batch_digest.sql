-- What a batch was made from: a digest of the program, the list, the USCC
-- allow-list and the file's bytes. When the last batch written to a list
-- has the digest of a new import, the import would write exactly what is
-- already there, and is recorded without reading the file again (see
-- load.Repeat). Empty for syncs and for batches written before this
-- migration.
ALTER TABLE import_batches {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS digest String COMMENT 'sha256 of program, list, allow-list and file; empty if none';
