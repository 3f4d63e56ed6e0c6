-- Each recorded grade keeps the evaluating unit (the county that graded
-- it) and the institution's name as graded (docs/rules.md §4, "History").
--
-- grade_history kept neither: every reader joined the register as it is
-- now, so when an institution later moved to another county or was
-- renamed, a form for a past date (附件2, which each county sent by 31
-- July and must be able to reprint) lost the row from the county that
-- graded it and showed it under the new county, with the new name and the
-- new county as 评价单位. From now on lifecycle writes both with every
-- grade it records, from the register at the moment it grades.
--
-- Rows recorded before this migration are filled from the register as it
-- is when the migration runs: the best available, since the register
-- keeps no history. A grade of an institution no longer in the register
-- stays empty. Filled rows are written again with version + 1
-- (grade_history keeps the highest version per uscc and run_id); running
-- the statement twice changes nothing, as it only takes rows still empty.
--
-- v_grade_history (and every view over it: v_current_grades,
-- v_grades_on, v_grade_changes, v_clause_evidence) now shows the name and
-- county stored with the grade, so a county's views hold the grades its
-- county made, also of an institution that has since moved away. The view
-- is otherwise that of 0080.

ALTER TABLE grade_history {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS county_code LowCardinality(String) DEFAULT '' COMMENT '评价单位 county (GB/T 2260) that graded it: the register''s county when the grade was recorded',
    ADD COLUMN IF NOT EXISTS name String DEFAULT '' COMMENT '机构名称 the institution''s name when the grade was recorded';

INSERT INTO grade_history (uscc, run_id, grade, clauses, evidence, status, publicity_ends_on, valid_from, valid_until,
                           superseded_on, note, recorded_at, version, publicized_from, objected_on, county_code, name)
SELECT
    h.uscc, h.run_id, h.grade, h.clauses, h.evidence, h.status, h.publicity_ends_on, h.valid_from, h.valid_until,
    h.superseded_on, h.note, h.recorded_at, h.version + 1, h.publicized_from, h.objected_on,
    if(c.code != '', c.code, toString(i.county_code)), i.name
FROM grade_history AS h FINAL
INNER JOIN institutions AS i FINAL ON i.uscc = h.uscc
LEFT JOIN v_county_codes AS c ON c.any_code = i.county_code
WHERE h.county_code = '';

CREATE OR REPLACE VIEW v_grade_history {{.OnCluster}} (
    uscc              String COMMENT '统一社会信用代码 USCC',
    name              String COMMENT '机构名称 institution name when the grade was recorded (institutions.name has the register''s name now)',
    county_code       String COMMENT '区县代码 the evaluating unit: the county that graded it, which keeps the grade when the institution moves; see counties',
    grade             String COMMENT '信用等级 credit grade: A | B | C | D',
    clauses           Array(String) COMMENT '适用条款 IDs of the clauses that hold, report order; see clauses',
    status            String COMMENT '状态(存储值) stored status: publicized | under_review | confirmed | expired | superseded; status_zh is its label',
    run_kind          String COMMENT '来源 the run that recorded it: evaluate | regrade | upgrade | review',
    year              Nullable(UInt16) COMMENT '评价年度 the evaluated year; NULL unless run_kind = evaluate',
    as_of             Date COMMENT '计算日期 the date the grade was computed at',
    publicity_ends_on Nullable(Date) COMMENT '公示截止日 last day of publicity; NULL when not publicized',
    valid_from        Nullable(Date) COMMENT '生效日 first day in effect; NULL when never in effect',
    valid_until       Nullable(Date) COMMENT '有效期至 valid_from + 1 year - 1 day',
    superseded_on     Nullable(Date) COMMENT '被取代日 first day a later grade was in effect instead; NULL while current',
    note              String COMMENT '备注 objection and review notes, reasons',
    run_id            String COMMENT '运行编号 grade_runs.run_id',
    rules_checksum    String COMMENT '规则校验和 checksum of the rules file used',
    recorded_at       DateTime64(3, 'Asia/Shanghai') COMMENT '记录时间 when the row was written (Asia/Shanghai)',
    evidence          String COMMENT '证据 JSON: clauses with id, grade, text and evidence items; v_clause_evidence has one row per item',
    county_name       String COMMENT '区县名称 name of county_code, the evaluating unit ('''' outside Xuchang)',
    status_zh         String COMMENT '状态 Chinese label of status',
    run_kind_zh       String COMMENT '来源 Chinese label of run_kind',
    clause_texts      Array(String) COMMENT '条款及原文 "ID wording" of each clause that holds, as recorded',
    license_status    String COMMENT '许可状态 the licence now: valid | revoked | cancelled',
    license_ended_on  Nullable(Date) COMMENT '许可终止日 day the licence was cancelled (注销), which ends the grade in force; NULL while it stands and for a revoked licence, whose D (D3) stays in force'
) AS
SELECT
    h.uscc AS uscc,
    h.name AS name,
    if(c.code != '', c.code, toString(h.county_code)) AS county_code,
    h.grade AS grade,
    h.clauses AS clauses,
    h.status AS status,
    r.kind AS run_kind,
    if(r.kind = 'evaluate', r.year, NULL) AS year,
    r.as_of AS as_of,
    h.publicity_ends_on AS publicity_ends_on,
    h.valid_from AS valid_from,
    h.valid_until AS valid_until,
    h.superseded_on AS superseded_on,
    h.note AS note,
    h.run_id AS run_id,
    r.rules_checksum AS rules_checksum,
    h.recorded_at AS recorded_at,
    h.evidence AS evidence,
    c.name AS county_name,
    ls.zh AS status_zh,
    lk.zh AS run_kind_zh,
    arrayMap(x -> concat(JSONExtractString(x, 'id'), ' ', JSONExtractString(x, 'text')), JSONExtractArrayRaw(h.evidence)) AS clause_texts,
    toString(i.license_status) AS license_status,
    if(i.license_status = 'cancelled', i.license_status_on, NULL) AS license_ended_on
FROM grade_history AS h FINAL
INNER JOIN grade_runs AS r FINAL ON r.run_id = h.run_id
LEFT JOIN institutions AS i FINAL ON i.uscc = h.uscc
LEFT JOIN v_county_codes AS c ON c.any_code = h.county_code
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'grade_status') AS ls ON ls.code = h.status
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'run_kind') AS lk ON lk.code = r.kind
WHERE r.finished IS NOT NULL
ORDER BY uscc, recorded_at DESC;
