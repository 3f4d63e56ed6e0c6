-- Each filing of a 附件2 keeps its own rows, and a filing counts only once
-- its command finished (docs/guide.md, import summary).
--
-- submissions was keyed by unit, date and USCC, so a later filing's row
-- replaced the earlier filing's row of the same institution for good once
-- the engine merged them: a filing withdrawn because one of its files was
-- refused, or left half-written by a process that died, took the unit's
-- earlier complete table with it. The table is made again keyed by unit,
-- date, filing and USCC (contract.Submissions' key), its rows copied, and
-- exchanged for the old one in one step.
--
-- submission_filings records each filing whose command finished; the
-- grades submitted are the latest such filing's (imports/submitted_grades).
-- The filings already stored are recorded as finished: they were read
-- before this check existed.

CREATE TABLE IF NOT EXISTS submissions_by_filing {{.OnCluster}} AS submissions
ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (unit_code, as_of, filing, uscc);

INSERT INTO submissions_by_filing SELECT * FROM submissions;

EXCHANGE TABLES submissions AND submissions_by_filing {{.OnCluster}};

DROP TABLE IF EXISTS submissions_by_filing {{.OnCluster}};

CREATE TABLE IF NOT EXISTS submission_filings {{.OnCluster}} (
    filing      String COMMENT 'the filing (one import summary command), as submissions.filing',
    finished_at DateTime64(3, 'Asia/Shanghai') COMMENT 'when its command finished: every file of it read'
) ENGINE = {{engine "ReplacingMergeTree"}}
ORDER BY filing;

INSERT INTO submission_filings SELECT DISTINCT filing, now64(3) FROM submissions WHERE filing != '';
