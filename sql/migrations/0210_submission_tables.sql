-- Each table a filing of a 附件2 holds — a file, or a sheet of one — with
-- the unit and date it was filed for, empty tables included.
--
-- A filing was known only by its rows in submissions, so a table that
-- lists no institution (the empty 附件2 `report summary` writes for a
-- unit without any, which every unit sends) could not be recorded:
-- reconcile could not tell "filed, empty" from "not filed", and an empty
-- table filed to correct one could not replace it. A unit's table for a
-- date is now its latest finished filing here (imports/submitted_filings),
-- its rows those of that filing in submissions, none for an empty one.
-- The tables of the filings already stored are recorded from their rows.

CREATE TABLE IF NOT EXISTS submission_tables {{.OnCluster}} (
    filing      String COMMENT 'the filing, as submissions.filing ('''' for rows filed before filings were recorded)',
    unit_code   LowCardinality(String) COMMENT 'the unit that filed the table: a county code or 411000',
    as_of       Date COMMENT 'the date of its grades',
    source_ref  String COMMENT 'the file, or file[sheet], as submissions.source_ref',
    recorded_at DateTime64(3, 'Asia/Shanghai') COMMENT 'when the table was stored'
) ENGINE = {{engine "ReplacingMergeTree"}}
ORDER BY (unit_code, as_of, filing, source_ref);

INSERT INTO submission_tables (filing, unit_code, as_of, source_ref, recorded_at)
SELECT filing, unit_code, as_of, source_ref, min(loaded_at) FROM submissions FINAL
GROUP BY filing, unit_code, as_of, source_ref;
