-- Which filing of a 附件2 each submitted row came in (contract
-- SubmissionFiling): a unit's table for a date is its latest filing's rows,
-- so a corrected table replaces the earlier one whole. Before, rows were
-- replaced by USCC only, and an institution the correction no longer
-- listed stayed submitted. Rows filed before have filing ''. The row hash
-- now covers the filing too (load/stage_row_hash.sql hashes every stored
-- column), so each filing writes all its rows.

ALTER TABLE submissions {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS filing String DEFAULT '' COMMENT 'the filing (import) the row came in: its UTC start time, later sorts after' AFTER as_of;

ALTER TABLE submissions UPDATE row_hash = cityHash64(tuple(name, uscc, grade, dishonesty, measures, exemplary, exemplary_reason, evaluator, note, unit_code, as_of, filing)) WHERE true
SETTINGS mutations_sync = 2;
