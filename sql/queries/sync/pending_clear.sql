-- Drop the pages of a source's finished or abandoned snapshot. No ON
-- CLUSTER: on a Replicated table the delete travels through the
-- replication log to every replica, while ON CLUSTER would run it once
-- per replica and wait for every host, failing when one is down.
DELETE FROM sync_pending WHERE source = {source:String}
