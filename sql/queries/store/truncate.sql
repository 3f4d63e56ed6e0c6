-- Empties a table that is filled again from scratch: a list the generator
-- replaces, a copy of entries refilled from the whole lists. On a cluster
-- the tables are replicated, and a truncate of a replicated table reaches
-- every replica by itself: no ON CLUSTER, which would run it once per
-- host and wait for them all.
TRUNCATE TABLE IF EXISTS {table:Identifier}
