-- Empties a copy before it is filled again from the whole list. The
-- copies are replicated tables on a cluster, so no ON CLUSTER is needed.
TRUNCATE TABLE IF EXISTS {table:Identifier}
