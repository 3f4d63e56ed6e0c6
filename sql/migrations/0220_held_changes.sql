-- A change a source shows to a record it lists is loaded at once, unless
-- it lifts a grade on the source's word alone (docs/sync.md §5): a new
-- version of a penalty (keyed by its 决定书文号) that no longer names the
-- registered institution the stored one named — its USCC blanked or
-- changed, its name written so that the register cannot place it (cut
-- short with …, masked, with the legal representative) — is held for a
-- person, as a record that vanishes under such a name is. Until a person
-- accepts it (creditsync review removals --accept SOURCE) the lists keep
-- the stored version, and external_records keeps both: the stored one in
-- its usual columns, the one the site shows in held_*. A snapshot that
-- shows the stored version again withdraws the held change.

ALTER TABLE external_records {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS held_record String DEFAULT '' COMMENT 'JSON object: the version the source shows, held for a person; empty when no change waits',
    ADD COLUMN IF NOT EXISTS held_hash String DEFAULT '' COMMENT 'row_hash of held_record',
    ADD COLUMN IF NOT EXISTS held_extra String DEFAULT '' COMMENT 'extra of held_record',
    ADD COLUMN IF NOT EXISTS held_why String DEFAULT '' COMMENT 'why the change waits for a person',
    ADD COLUMN IF NOT EXISTS held_since Nullable(DateTime64(3, 'Asia/Shanghai')) COMMENT 'when a snapshot first showed the held version';

ALTER TABLE sync_runs {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS held_changes UInt64 DEFAULT 0 COMMENT 'changes to listed records held for a person (docs/sync.md §5)';
