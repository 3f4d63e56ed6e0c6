-- No SYNC: an idle chDB connection may still reference the table from
-- its last statement, and a synchronous drop would wait for it forever.
-- The Atomic database frees the name at once either way.
DROP TABLE IF EXISTS {{.Stage}}
