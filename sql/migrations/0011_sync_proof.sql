-- Removals need proof (docs/sync.md): a record missing from one complete
-- snapshot is only a *pending removal*; a second complete snapshot that
-- also lacks it confirms the removal, dated by the first one. Until then
-- the list tables are untouched and no grade changes. A run that would
-- remove more than the source's limits holds the removals for a person
-- (creditsync review removals --accept SOURCE).

ALTER TABLE external_records {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS missed_on Nullable(Date) COMMENT 'date of the first complete snapshot that lacked the record while it was listed; NULL while it is seen',
    ADD COLUMN IF NOT EXISTS missed_snapshot String COMMENT 'that snapshot; a removal is confirmed only by another one',
    ADD COLUMN IF NOT EXISTS missed_at Nullable(DateTime64(3, 'UTC')) COMMENT 'when that snapshot started, for confirm_removals_after',
    ADD COLUMN IF NOT EXISTS removal_held Bool DEFAULT false COMMENT 'a confirmed removal held by max_removals/max_removal_share until a person accepts it';

-- The record count a source claimed for the page (API total, HTML 共N条),
-- -1 when it claims none: a complete snapshot must hold exactly that many
-- distinct records.
ALTER TABLE sync_pending {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS claimed Int64 DEFAULT -1 COMMENT 'page rows: records the source claims the whole listing has; -1: no claim',
    ADD COLUMN IF NOT EXISTS page_digest String DEFAULT '' COMMENT 'page rows: digest of the page records, to notice a changed first page before resuming';

ALTER TABLE sync_runs {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS claimed Int64 DEFAULT -1 COMMENT 'records the source claimed; -1: no claim',
    ADD COLUMN IF NOT EXISTS pending_removals UInt64 DEFAULT 0 COMMENT 'records missed by this snapshot, awaiting confirmation',
    ADD COLUMN IF NOT EXISTS held_removals UInt64 DEFAULT 0 COMMENT 'confirmed removals held for a person by the removal limits',
    ADD COLUMN IF NOT EXISTS restored UInt64 DEFAULT 0 COMMENT 'pending removals withdrawn because the record was seen again';

-- The contract columns the source published in its last complete
-- snapshot: a later page lacking one of them is a changed layout.
ALTER TABLE sync_state {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS columns Array(String) COMMENT 'contract columns the last complete snapshot mapped';
