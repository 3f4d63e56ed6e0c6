-- Recorded grades and their lifecycle (docs/rules.md §4, §5). Computing a
-- grade writes nothing; these tables hold what the bureau decided with it.
--
-- grade_runs: one row per run that records grades — an annual evaluation,
-- a nightly regrade, an upgrade application or an objection's review —
-- with the date it graded at and the checksum of the rules it used.
CREATE TABLE IF NOT EXISTS grade_runs {{.OnCluster}} (
    run_id         String,
    kind           LowCardinality(String) COMMENT 'evaluate | regrade | upgrade | review',
    year           UInt16 COMMENT 'the evaluated year for evaluate runs, else 0',
    as_of          Date COMMENT 'the date grades were computed at',
    started        DateTime64(3, 'UTC'),
    finished       Nullable(DateTime64(3, 'UTC')) COMMENT 'NULL while running or when it failed',
    rules_checksum String,
    note           String,
    version        UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY run_id;

-- grade_history: every grade an institution ever had, one row per
-- (uscc, run_id). A status change writes the row again with a higher
-- version; the lifecycle dates on the row keep what happened when.
--
-- A grade is in effect on day d when valid_from <= d and (superseded_on
-- is NULL or superseded_on > d); it shows as expired once valid_until < d.
-- Rows never in effect (publicized, under review, or superseded before
-- confirmation) have valid_from NULL.
CREATE TABLE IF NOT EXISTS grade_history {{.OnCluster}} (
    uscc              String,
    run_id            String,
    grade             LowCardinality(String) COMMENT 'A | B | C | D',
    clauses           Array(String) COMMENT 'clause IDs that hold, report order',
    evidence          String COMMENT 'JSON array of clauses: id, grade, text, evidence [{kind, id, date, detail}]',
    status            LowCardinality(String) COMMENT 'publicized | under_review | confirmed | expired | superseded (provisional grades are computed, never stored)',
    publicity_ends_on Nullable(Date) COMMENT 'last day of publicity (公示) for evaluations',
    valid_from        Nullable(Date) COMMENT 'first day in effect',
    valid_until       Nullable(Date) COMMENT 'valid_from + 1 year - 1 day',
    superseded_on     Nullable(Date) COMMENT 'first day a later grade was in effect instead',
    note              String COMMENT 'objection and review notes, reasons',
    recorded_at       DateTime64(3, 'UTC'),
    version           UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (uscc, run_id);

-- exemplary: institutions nominated as 诚信机构典型 for an evaluation year,
-- capped per county (or city-wide) by the rules' share of A institutions.
CREATE TABLE IF NOT EXISTS exemplary {{.OnCluster}} (
    year         UInt16,
    uscc         String,
    county_code  LowCardinality(String),
    reason       String,
    nominated_on Date,
    version      UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (year, uscc);

-- v_grade_history: grade_history with the run that produced each row and
-- the institution's name and county, newest first per institution. Rows of
-- a run that never finished are left out: a run's grades appear together
-- or not at all.
CREATE VIEW IF NOT EXISTS v_grade_history {{.OnCluster}} AS
SELECT
    h.uscc AS uscc,
    i.name AS name,
    i.county_code AS county_code,
    h.grade AS grade,
    h.clauses AS clauses,
    h.status AS status,
    r.kind AS run_kind,
    r.year AS year,
    r.as_of AS as_of,
    h.publicity_ends_on AS publicity_ends_on,
    h.valid_from AS valid_from,
    h.valid_until AS valid_until,
    h.superseded_on AS superseded_on,
    h.note AS note,
    h.run_id AS run_id,
    r.rules_checksum AS rules_checksum,
    h.recorded_at AS recorded_at,
    h.evidence AS evidence
FROM grade_history AS h FINAL
INNER JOIN grade_runs AS r FINAL ON r.run_id = h.run_id
LEFT JOIN institutions AS i FINAL ON i.uscc = h.uscc
WHERE r.finished IS NOT NULL
ORDER BY uscc, recorded_at DESC;

-- v_current_grades: the grade in effect today (Asia/Shanghai) for every
-- institution that has one; status shows 'expired' past valid_until.
CREATE VIEW IF NOT EXISTS v_current_grades {{.OnCluster}} AS
SELECT
    uscc, name, county_code, grade, clauses,
    if(valid_until < toDate(now(), 'Asia/Shanghai'), 'expired', 'confirmed') AS status,
    valid_from, valid_until, run_kind, as_of, run_id, note
FROM v_grade_history
WHERE valid_from <= toDate(now(), 'Asia/Shanghai')
  AND (superseded_on IS NULL OR superseded_on > toDate(now(), 'Asia/Shanghai'))
ORDER BY uscc;

-- v_clause_evidence: one row per evidence item of every recorded grade,
-- for "which records made which grades" questions.
CREATE VIEW IF NOT EXISTS v_clause_evidence {{.OnCluster}} AS
SELECT
    uscc, run_id, grade, status, valid_from,
    JSONExtractString(c, 'id') AS clause,
    JSONExtractString(c, 'text') AS clause_text,
    JSONExtractString(e, 'kind') AS kind,
    JSONExtractString(e, 'id') AS record_id,
    toDateOrNull(JSONExtractString(e, 'date')) AS date,
    JSONExtractString(e, 'detail') AS detail
FROM v_grade_history
ARRAY JOIN JSONExtractArrayRaw(evidence) AS c
ARRAY JOIN JSONExtractArrayRaw(c, 'evidence') AS e;
