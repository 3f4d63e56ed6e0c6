-- What reconcile checks in a 附件2 table itself, recorded with the table
-- when it is filed: the count its 合计 line states and the rows with a
-- USCC it lists (line, code, grade as written), from which reconcile finds
-- a wrong total and a USCC listed twice with different grades; and the
-- digest of the file's bytes.
--
-- Reconcile read both from the file at its recorded path, which it never
-- checked was still the file filed: a clerk who saved a corrected table
-- over the same name without importing it again got a review that mixed
-- two tables — a 合计 problem of the new file against the filed rows, a
-- repeat of the filed table no longer reported. The checks now come from
-- the table as it was read, and the digest tells reconcile that the file
-- at the path has changed since (or is gone), which it says.
--
-- Tables filed before this migration have none of it (checked = false):
-- reconcile says their checks cannot be made, rather than make them on a
-- file that may not be the one filed.

ALTER TABLE submission_tables {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS checked Bool DEFAULT false COMMENT 'whether the checks below were recorded when the table was filed (false for tables filed before)',
    ADD COLUMN IF NOT EXISTS check_error String DEFAULT '' COMMENT 'why the table could not be checked when filed, '''' when it was',
    ADD COLUMN IF NOT EXISTS file_path String DEFAULT '' COMMENT 'the file the table was read from (source_ref without its [sheet])',
    ADD COLUMN IF NOT EXISTS file_digest String DEFAULT '' COMMENT 'SHA-256 of the file''s bytes as filed, hex',
    ADD COLUMN IF NOT EXISTS total_declared UInt32 DEFAULT 0 COMMENT 'the count its 合计 line states (共60家), 0 when it has none',
    ADD COLUMN IF NOT EXISTS total_line UInt32 DEFAULT 0 COMMENT 'the line of that 合计 line, 0 when none',
    ADD COLUMN IF NOT EXISTS listed_rows String DEFAULT '[]' COMMENT 'its rows with a USCC, in order: JSON [{"uscc","line","grade"}], the grade as A/B/C/D when it reads as one, else as written';
