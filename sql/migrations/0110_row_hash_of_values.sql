-- row_hash, the content hash change detection compares (a re-import of an
-- unchanged row writes nothing), is now cityHash64 of the tuple of the
-- contract columns, no longer of that tuple rendered as quoted text
-- (load/stage_row_hash.sql). Rendering every value of every row as quoted
-- text cost a quarter of the engine's time in a fast import (BENCHMARKS.md).
-- The hash of a tuple hashes each value by its value: a NULL differs from
-- every value, an empty text from a missing date, and a column's
-- LowCardinality or Nullable wrapping does not change it.
--
-- Every stored row is hashed again here, so that a re-import still finds
-- its rows unchanged. The mutation rewrites row_hash only, and the
-- migration waits for it. On a cluster (one shard, replicated tables) a
-- mutation replicates by itself: these run on one node, as deletes do.

ALTER TABLE institutions UPDATE row_hash = cityHash64(tuple(uscc, name, county_code, license_no, licensed_on, license_status, license_status_on, commitment_signed_on, lost_contact_since, name_key)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE inspections UPDATE row_hash = cityHash64(tuple(record_id, uscc, kind, severity, handled_on, rectified_on, refused, authority, measure, description)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE annual_reports UPDATE row_hash = cityHash64(tuple(uscc, year, submitted_on)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE penalties UPDATE row_hash = cityHash64(tuple(record_id, uscc, name, decided_on, authority, content, publicity_ended_on, name_key)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE penalties_registered UPDATE row_hash = cityHash64(tuple(record_id, uscc, name, decided_on, authority, content, publicity_ended_on, name_key)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE abnormal UPDATE row_hash = cityHash64(tuple(uscc, name, listed_on, reason, authority, removed_on, removal_reason, name_key)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE abnormal_registered UPDATE row_hash = cityHash64(tuple(uscc, name, listed_on, reason, authority, removed_on, removal_reason, name_key)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE dishonest UPDATE row_hash = cityHash64(tuple(uscc, name, listed_on, reason, authority, removed_on, name_key)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE dishonest_registered UPDATE row_hash = cityHash64(tuple(uscc, name, listed_on, reason, authority, removed_on, name_key)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE public_eval UPDATE row_hash = cityHash64(tuple(uscc, name, grade, evaluated_on, name_key, grade_label)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE public_eval_registered UPDATE row_hash = cityHash64(tuple(uscc, name, grade, evaluated_on, name_key, grade_label)) WHERE true
SETTINGS mutations_sync = 2;

ALTER TABLE submissions UPDATE row_hash = cityHash64(tuple(name, uscc, grade, dishonesty, measures, exemplary, exemplary_reason, evaluator, note, unit_code, as_of)) WHERE true
SETTINGS mutations_sync = 2;
