-- The claimant's host and process id, so that a process on the same host
-- can tell a claim of a process that no longer exists (killed, crashed)
-- and take it over at once instead of waiting for it to lapse. Claims
-- written before these columns existed have none ('' and 0): they lapse.
ALTER TABLE leases {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS host String DEFAULT '' COMMENT 'host name of the claimant' AFTER owner,
    ADD COLUMN IF NOT EXISTS pid UInt32 DEFAULT 0 COMMENT 'process id of the claimant on host' AFTER host
