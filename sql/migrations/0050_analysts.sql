-- Tables and views made for analysts (docs/analysts.md): county
-- names, the clauses' wording and Chinese labels as tables to join, and
-- views whose columns carry comments in Chinese and English, NULL where a
-- value does not apply, and a Chinese label beside every English code.
--
-- The views only read; stored data is unchanged. Existing views keep their
-- columns in their order (serve, report and status read them) and gain
-- new ones at the end.
--
-- The rule every view uses: a recorded grade is IN EFFECT ON DAY d when
-- valid_from <= d and (superseded_on IS NULL or superseded_on > d), unless
-- the institution's licence was cancelled or revoked on or before d (that
-- ends the grade in force: license_ended_on <= d). A grade in effect whose
-- valid_until < d shows as expired. Rows never in effect (publicized,
-- under review, superseded before confirmation) have valid_from NULL.
--
-- County codes are shown as they are now: a withdrawn code still carried
-- by old rows (411023) reads as its successor's (411003).
--
-- The rows of counties, clauses and labels restate facts defined in Go
-- (transform/county.go, grade/clauses.go, the contract's Chinese names);
-- sql/analysts_test.go fails when the two disagree, so a change there
-- comes with a new migration that rewrites these rows (same key, higher
-- version). The inserts are safe to run twice: the tables keep one row per
-- key.

CREATE TABLE IF NOT EXISTS counties {{.OnCluster}} (
    code         String COMMENT '区划代码 GB/T 2260 division code; institutions.county_code holds it',
    name         String COMMENT '名称 Chinese name',
    level        LowCardinality(String) COMMENT '级别 city (许昌市, licensed by the city bureau) | county (县级行政区)',
    legacy_codes Array(String) COMMENT '曾用代码 withdrawn codes of the same area, still carried by USCCs registered before a merger',
    version      UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY code
COMMENT '许昌市及所辖县级行政区 Xuchang city and its county-level divisions';

INSERT INTO counties (code, name, level, legacy_codes, version) VALUES
    ('411000', '许昌市', 'city', [], 1),
    ('411002', '魏都区', 'county', [], 1),
    ('411003', '建安区', 'county', ['411023'], 1),
    ('411024', '鄢陵县', 'county', [], 1),
    ('411025', '襄城县', 'county', [], 1),
    ('411081', '禹州市', 'county', [], 1),
    ('411082', '长葛市', 'county', [], 1);

CREATE TABLE IF NOT EXISTS clauses {{.OnCluster}} (
    id      String COMMENT '条款 clause ID, D1 … B6',
    grade   LowCardinality(String) COMMENT '等级 the grade the clause gives: A | B | C | D',
    text    String COMMENT '通知原文 the notice''s wording, as printed in notices and reports',
    rule    String COMMENT '判定规则 when the clause holds at date T (English; W(T) is the window of the rules file, 12 months by default)',
    ord     UInt8 COMMENT '报告顺序 report order: D, C, B, then by number',
    version UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY id
COMMENT '评价条款 the grading clauses of the 2023 Xuchang rules';

INSERT INTO clauses (id, grade, text, rule, ord, version) VALUES
    ('D1', 'D', '因重大劳动保障违法违规行为被查处', 'a violation of severity major handled in W(T)', 1, 1),
    ('D2', 'D', '欺诈、骗取就业补助资金、社会保险基金或职业技能培训评价补贴资金', 'a fund_fraud record handled in W(T)', 2, 1),
    ('D3', 'D', '被吊销人力资源服务许可', 'licence revoked on or before T', 3, 1),
    ('D4', 'D', '公共信用综合评价为D级', 'the latest public credit evaluation on or before T is D', 4, 1),
    ('D5', 'D', '被列入严重失信主体名单', 'listed at T on the seriously dishonest list', 5, 1),
    ('C1', 'C', '一年内因劳动保障违法违规行为被查处两次以上', 'at least the configured number of violations handled in W(T)', 6, 1),
    ('C2', 'C', '因严重劳动保障违法违规行为被查处', 'a violation of severity serious handled in W(T)', 7, 1),
    ('C3', 'C', '拒不整改、拒不履行行政处罚决定', 'a refused record handled in W(T), or handled earlier and not rectified by T', 8, 1),
    ('C4', 'C', '机构失联1年以上', 'lost contact since T − the configured months or earlier', 9, 1),
    ('C5', 'C', '连续3年以上未进行年度报告', 'the configured number of most recent due report years all without a report by T', 10, 1),
    ('C6', 'C', '被列入经营异常名录', 'listed at T on the abnormal-operations list', 11, 1),
    ('B1', 'B', '未履行信用承诺', 'no commitment signed by T, or a commitment_breach record handled in W(T)', 12, 1),
    ('B2', 'B', '有劳动保障违法违规行为，但情节较轻且能及时改正', 'a violation of severity minor or general handled in W(T)', 13, 1),
    ('B3', 'B', '未按规定开展行政许可、备案、年度报告、书面报告、统计、接受监督检查', 'a compliance_failure record handled in W(T), or the latest due report, due in W(T), missing or late', 14, 1),
    ('B4', 'B', '隐瞒有关情况或提供虚假材料', 'a false_materials record handled in W(T)', 15, 1),
    ('B5', 'B', '从业人员、场所等变化未达到设立条件', 'a conditions_unmet record handled in W(T)', 16, 1),
    ('B6', 'B', '国家企业信用信息公示系统中有行政处罚记录', 'a penalty decided in W(T) whose publicity has not ended by T', 17, 1);

-- labels: the Chinese label of every English code the tables and views
-- store, per domain (the column it appears in).
CREATE TABLE IF NOT EXISTS labels {{.OnCluster}} (
    domain  LowCardinality(String) COMMENT '字段 which codes: grade_status, run_kind, change, list, matched_by, evidence_kind, inspection_kind, severity, license_status',
    code    String COMMENT '代码 the English code as stored',
    zh      String COMMENT '中文 the Chinese label',
    version UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (domain, code)
COMMENT '代码的中文名称 Chinese labels of the English codes';

INSERT INTO labels (domain, code, zh, version) VALUES
    ('grade_status', 'publicized', '公示中', 1),
    ('grade_status', 'under_review', '异议复核中', 1),
    ('grade_status', 'confirmed', '有效', 1),
    ('grade_status', 'expired', '已过有效期', 1),
    ('grade_status', 'superseded', '已被取代', 1),
    ('run_kind', 'evaluate', '年度评价', 1),
    ('run_kind', 'regrade', '动态降级', 1),
    ('run_kind', 'upgrade', '申请升级', 1),
    ('run_kind', 'review', '异议复核', 1),
    ('change', 'initial', '首次评定', 1),
    ('change', 'downgrade', '降级', 1),
    ('change', 'upgrade', '升级', 1),
    ('change', 'unchanged', '等级未变', 1),
    ('list', 'institutions', '机构名录', 1),
    ('list', 'inspections', '监察与查处记录', 1),
    ('list', 'annual_reports', '年度报告', 1),
    ('list', 'penalties', '行政处罚', 1),
    ('list', 'abnormal', '经营异常名录', 1),
    ('list', 'dishonest', '严重失信主体名单', 1),
    ('list', 'public_eval', '公共信用综合评价', 1),
    ('matched_by', 'uscc', '统一社会信用代码', 1),
    ('matched_by', 'name', '名称', 1),
    ('evidence_kind', 'inspection', '监察与查处记录', 1),
    ('evidence_kind', 'institution', '机构名录', 1),
    ('evidence_kind', 'annual_report', '年度报告', 1),
    ('evidence_kind', 'penalty', '行政处罚', 1),
    ('evidence_kind', 'abnormal', '经营异常名录', 1),
    ('evidence_kind', 'dishonest', '严重失信主体名单', 1),
    ('evidence_kind', 'public_eval', '公共信用综合评价', 1),
    ('inspection_kind', 'violation', '违法违规', 1),
    ('inspection_kind', 'fund_fraud', '骗取资金', 1),
    ('inspection_kind', 'false_materials', '虚假材料', 1),
    ('inspection_kind', 'conditions_unmet', '不符合设立条件', 1),
    ('inspection_kind', 'compliance_failure', '未按规定履行', 1),
    ('inspection_kind', 'commitment_breach', '未履行信用承诺', 1),
    ('severity', 'minor', '较轻', 1),
    ('severity', 'general', '一般', 1),
    ('severity', 'serious', '严重', 1),
    ('severity', 'major', '重大', 1),
    ('license_status', 'valid', '有效', 1),
    ('license_status', 'revoked', '吊销', 1),
    ('license_status', 'cancelled', '注销', 1);

-- v_county_codes: every code a county is known by, current or withdrawn,
-- with its current code and name, for joins on stored codes.
CREATE OR REPLACE VIEW v_county_codes {{.OnCluster}} (
    any_code String COMMENT '代码 a current or withdrawn division code',
    code     String COMMENT '现行代码 the current code of that area',
    name     String COMMENT '名称 its Chinese name'
) AS
SELECT any_code, code, name
FROM counties FINAL
ARRAY JOIN arrayConcat([code], legacy_codes) AS any_code;

-- v_grade_history: every recorded grade of a finished run, newest first per
-- institution. Replaces the view of 0003 with the same first eighteen
-- columns (year is now NULL for runs other than evaluate) and more after.
CREATE OR REPLACE VIEW v_grade_history {{.OnCluster}} (
    uscc              String COMMENT '统一社会信用代码 USCC',
    name              String COMMENT '机构名称 institution name from the register ('''' when not registered)',
    county_code       String COMMENT '区县代码 county code; see counties',
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
    recorded_at       DateTime64(3, 'UTC') COMMENT '记录时间 when the row was written (UTC)',
    evidence          String COMMENT '证据 JSON: clauses with id, grade, text and evidence items; v_clause_evidence has one row per item',
    county_name       String COMMENT '区县名称 county name ('''' outside Xuchang)',
    status_zh         String COMMENT '状态 Chinese label of status',
    run_kind_zh       String COMMENT '来源 Chinese label of run_kind',
    clause_texts      Array(String) COMMENT '条款及原文 "ID wording" of each clause that holds, as recorded',
    license_status    String COMMENT '许可状态 the licence now: valid | revoked | cancelled',
    license_ended_on  Nullable(Date) COMMENT '许可终止日 day the licence was cancelled or revoked, which ends the grade in force; NULL while it stands'
) AS
SELECT
    h.uscc AS uscc,
    i.name AS name,
    if(c.code != '', c.code, toString(i.county_code)) AS county_code,
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
    if(i.license_status IN ('cancelled', 'revoked'), i.license_status_on, NULL) AS license_ended_on
FROM grade_history AS h FINAL
INNER JOIN grade_runs AS r FINAL ON r.run_id = h.run_id
LEFT JOIN institutions AS i FINAL ON i.uscc = h.uscc
LEFT JOIN v_county_codes AS c ON c.any_code = i.county_code
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'grade_status') AS ls ON ls.code = h.status
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'run_kind') AS lk ON lk.code = r.kind
WHERE r.finished IS NOT NULL
ORDER BY uscc, recorded_at DESC;

-- v_current_grades: the grade in effect today (Asia/Shanghai) for every
-- institution that has one; status is 'expired' past valid_until.
CREATE OR REPLACE VIEW v_current_grades {{.OnCluster}} (
    uscc         String COMMENT '统一社会信用代码 USCC',
    name         String COMMENT '机构名称 institution name',
    county_code  String COMMENT '区县代码 county code; see counties',
    grade        String COMMENT '信用等级 credit grade: A | B | C | D',
    clauses      Array(String) COMMENT '适用条款 clause IDs; see clauses',
    status       String COMMENT '状态 confirmed | expired (past valid_until)',
    valid_from   Nullable(Date) COMMENT '生效日 first day in effect',
    valid_until  Nullable(Date) COMMENT '有效期至 last day of validity',
    run_kind     String COMMENT '来源 evaluate | regrade | upgrade | review',
    as_of        Date COMMENT '计算日期 the date the grade was computed at',
    run_id       String COMMENT '运行编号 grade_runs.run_id',
    note         String COMMENT '备注 notes',
    county_name  String COMMENT '区县名称 county name',
    status_zh    String COMMENT '状态 label of status: 有效 | 已过有效期',
    run_kind_zh  String COMMENT '来源 Chinese label of run_kind',
    clause_texts Array(String) COMMENT '条款及原文 "ID wording" of each clause'
) AS
SELECT
    uscc, name, county_code, grade, clauses,
    if(valid_until < toDate(now(), 'Asia/Shanghai'), 'expired', 'confirmed') AS status,
    valid_from, valid_until, run_kind, as_of, run_id, note,
    county_name,
    if(valid_until < toDate(now(), 'Asia/Shanghai'), '已过有效期', '有效') AS status_zh,
    run_kind_zh, clause_texts
FROM v_grade_history
WHERE valid_from <= toDate(now(), 'Asia/Shanghai')
  AND (superseded_on IS NULL OR superseded_on > toDate(now(), 'Asia/Shanghai'))
  AND (license_ended_on IS NULL OR license_ended_on > toDate(now(), 'Asia/Shanghai'))
ORDER BY uscc;

-- v_grades_on(day = 'YYYY-MM-DD'): v_current_grades for any day, past or
-- future: SELECT * FROM v_grades_on(day = '2025-12-31'). (A parameterized
-- view has no column list, so its comments are those of v_current_grades.)
CREATE OR REPLACE VIEW v_grades_on {{.OnCluster}} AS
SELECT
    uscc, name, county_code, grade, clauses,
    if(valid_until < {day:Date}, 'expired', 'confirmed') AS status,
    valid_from, valid_until, run_kind, as_of, run_id, note,
    county_name,
    if(valid_until < {day:Date}, '已过有效期', '有效') AS status_zh,
    run_kind_zh, clause_texts
FROM v_grade_history
WHERE valid_from <= {day:Date}
  AND (superseded_on IS NULL OR superseded_on > {day:Date})
  AND (license_ended_on IS NULL OR license_ended_on > {day:Date})
ORDER BY uscc;

-- v_clause_evidence: one row per evidence item of every recorded grade.
CREATE OR REPLACE VIEW v_clause_evidence {{.OnCluster}} (
    uscc        String COMMENT '统一社会信用代码 USCC',
    run_id      String COMMENT '运行编号 grade_runs.run_id',
    grade       String COMMENT '信用等级 the grade recorded',
    status      String COMMENT '状态 stored status of the grade; see labels domain grade_status',
    valid_from  Nullable(Date) COMMENT '生效日 NULL when the grade was never in effect',
    clause      String COMMENT '条款 clause ID',
    clause_text String COMMENT '条款原文 the notice''s wording',
    kind        String COMMENT '证据类型 inspection | institution | annual_report | penalty | abnormal | dishonest | public_eval',
    record_id   String COMMENT '证据编号 the record''s key: record_id, decision number, or <uscc or name key>|<date> (v_list_records.record_key)',
    date        Nullable(Date) COMMENT '证据日期 the record''s date; NULL when it has none (a missing commitment, say)',
    detail      String COMMENT '说明 what the record says',
    name        String COMMENT '机构名称 institution name',
    county_code String COMMENT '区县代码 county code',
    county_name String COMMENT '区县名称 county name',
    kind_zh     String COMMENT '证据类型 Chinese label of kind',
    superseded_on Nullable(Date) COMMENT '被取代日 first day a later grade was in effect instead'
) AS
SELECT
    uscc, run_id, grade, status, valid_from,
    JSONExtractString(c, 'id') AS clause,
    JSONExtractString(c, 'text') AS clause_text,
    JSONExtractString(e, 'kind') AS kind,
    JSONExtractString(e, 'id') AS record_id,
    toDateOrNull(JSONExtractString(e, 'date')) AS date,
    JSONExtractString(e, 'detail') AS detail,
    name, county_code, county_name,
    lk.zh AS kind_zh,
    superseded_on
FROM v_grade_history
ARRAY JOIN JSONExtractArrayRaw(evidence) AS c
ARRAY JOIN JSONExtractArrayRaw(c, 'evidence') AS e
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'evidence_kind') AS lk ON lk.code = JSONExtractString(e, 'kind');

-- v_grade_changes: every grade that came into effect, with the grade in
-- effect before it (NULL for an institution's first), so "who went from
-- what to what, when and why" needs no self-join. Grades that were never in
-- effect (an evaluation superseded during publicity) are not changes.
-- Grades compare as letters: a later letter is a worse grade.
CREATE OR REPLACE VIEW v_grade_changes {{.OnCluster}} (
    uscc         String COMMENT '统一社会信用代码 USCC',
    name         String COMMENT '机构名称 institution name',
    county_code  String COMMENT '区县代码 county code',
    county_name  String COMMENT '区县名称 county name',
    from_grade   Nullable(String) COMMENT '原等级 the grade in effect before; NULL for the first grade',
    to_grade     String COMMENT '新等级 the grade that came into effect',
    changed_on   Date COMMENT '变更日期 first day the new grade was in effect (its valid_from)',
    change       String COMMENT '变化 initial | downgrade | upgrade | unchanged',
    change_zh    String COMMENT '变化 label of change: 首次评定 | 降级 | 升级 | 等级未变',
    kind         String COMMENT '来源 the run: evaluate | regrade | upgrade | review',
    kind_zh      String COMMENT '来源 Chinese label of kind',
    year         Nullable(UInt16) COMMENT '评价年度 NULL unless kind = evaluate',
    as_of        Date COMMENT '计算日期 the date the grade was computed at',
    clauses      Array(String) COMMENT '适用条款 clause IDs of the new grade',
    clause_texts Array(String) COMMENT '条款及原文 "ID wording" of each clause of the new grade: the reasons',
    note         String COMMENT '备注 notes of the run or review',
    run_id       String COMMENT '运行编号 grade_runs.run_id'
) AS
SELECT
    uscc, name, county_code, county_name,
    from_grade, grade AS to_grade, assumeNotNull(valid_from) AS changed_on,
    multiIf(from_grade IS NULL, 'initial', grade > from_grade, 'downgrade', grade < from_grade, 'upgrade', 'unchanged') AS change,
    l.zh AS change_zh,
    run_kind AS kind, run_kind_zh AS kind_zh, year, as_of, clauses, clause_texts, note, run_id
FROM (
    SELECT *,
        lagInFrame(toNullable(grade)) OVER (PARTITION BY uscc ORDER BY valid_from, recorded_at
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS from_grade
    FROM v_grade_history
    WHERE valid_from IS NOT NULL
) AS g
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'change') AS l
    ON l.code = multiIf(g.from_grade IS NULL, 'initial', g.grade > g.from_grade, 'downgrade', g.grade < g.from_grade, 'upgrade', 'unchanged')
ORDER BY uscc, changed_on;

-- v_list_records: the records of the four external lists in one view, with
-- the institution each was matched to and how. A record with a USCC
-- belongs to the registered institution with that code; one without
-- belongs to the institution whose normalised name (name_key) it shares
-- when exactly one institution has that name — the rule grading uses. A
-- join on listed_uscc misses the name matches; join on uscc instead.
CREATE OR REPLACE VIEW v_list_records {{.OnCluster}} (
    list             String COMMENT '名单 penalties | abnormal | dishonest | public_eval',
    list_zh          String COMMENT '名单 label of list: 行政处罚 | 经营异常名录 | 严重失信主体名单 | 公共信用综合评价',
    record_key       String COMMENT '记录编号 decision number (penalties) or <uscc or name key>|<date>; v_clause_evidence.record_id',
    uscc             Nullable(String) COMMENT '匹配机构代码 USCC of the institution matched; NULL when none',
    matched_by       Nullable(String) COMMENT '匹配方式 uscc | name; NULL when no institution matched',
    matched_by_zh    Nullable(String) COMMENT '匹配方式 label of matched_by: 统一社会信用代码 | 名称',
    institution_name Nullable(String) COMMENT '机构名称 name of the institution matched, from the register',
    county_code      Nullable(String) COMMENT '区县代码 of the institution matched',
    county_name      Nullable(String) COMMENT '区县名称 of the institution matched',
    listed_uscc      Nullable(String) COMMENT '名单所载代码 the USCC as published; NULL when the source gave only a name',
    listed_name      String COMMENT '名单所载名称 the name as published',
    name_key         String COMMENT '名称键 normalised name used for matching',
    on_date          Date COMMENT '日期 decision date (penalties), listing date (abnormal, dishonest), evaluation date (public_eval)',
    ends_on          Nullable(Date) COMMENT '截止/移出日期 end of publicity (penalties) or removal (abnormal, dishonest); NULL when open or not applicable',
    grade            Nullable(String) COMMENT '评价结果 A | B | C | D for public_eval; NULL for the other lists',
    reason           Nullable(String) COMMENT '内容/原因 penalty content or listing reason; NULL for public_eval',
    authority        Nullable(String) COMMENT '决定机关 deciding authority; NULL for public_eval',
    source           String COMMENT '来源 the sync source or importer',
    loaded_at        DateTime64(3, 'UTC') COMMENT '载入时间 when the record was stored (UTC)'
) AS
WITH by_name AS (
    SELECT name_key, any(uscc) AS owner
    FROM institutions FINAL
    WHERE name_key != ''
    GROUP BY name_key
    HAVING count() = 1
)
SELECT
    m.list AS list,
    ll.zh AS list_zh,
    m.record_key AS record_key,
    nullIf(i.uscc, '') AS uscc,
    if(i.uscc = '', NULL, if(m.listed_uscc != '', 'uscc', 'name')) AS matched_by,
    if(i.uscc = '', NULL, if(m.listed_uscc != '', '统一社会信用代码', '名称')) AS matched_by_zh,
    if(i.uscc = '', NULL, i.name) AS institution_name,
    if(i.uscc = '', NULL, if(c.code != '', c.code, toString(i.county_code))) AS county_code,
    if(i.uscc = '', NULL, c.name) AS county_name,
    nullIf(m.listed_uscc, '') AS listed_uscc,
    m.listed_name AS listed_name,
    m.name_key AS name_key,
    m.on_date AS on_date,
    m.ends_on AS ends_on,
    m.grade AS grade,
    m.reason AS reason,
    m.authority AS authority,
    m.source AS source,
    m.loaded_at AS loaded_at
FROM (
    SELECT r.*, if(r.listed_uscc != '', r.listed_uscc, n.owner) AS candidate
    FROM (
        SELECT 'penalties' AS list, record_id AS record_key, uscc AS listed_uscc, name AS listed_name, name_key,
               decided_on AS on_date, publicity_ended_on AS ends_on, CAST(NULL AS Nullable(String)) AS grade,
               toNullable(content) AS reason, toNullable(authority) AS authority, toString(source) AS source, loaded_at
        FROM penalties FINAL
        UNION ALL
        SELECT 'abnormal', concat(if(uscc != '', uscc, name_key), '|', toString(listed_on)), uscc, name, name_key,
               listed_on, removed_on, NULL, toNullable(reason), toNullable(authority), toString(source), loaded_at
        FROM abnormal FINAL
        UNION ALL
        SELECT 'dishonest', concat(if(uscc != '', uscc, name_key), '|', toString(listed_on)), uscc, name, name_key,
               listed_on, removed_on, NULL, toNullable(reason), toNullable(authority), toString(source), loaded_at
        FROM dishonest FINAL
        UNION ALL
        SELECT 'public_eval', concat(if(uscc != '', uscc, name_key), '|', toString(evaluated_on)), uscc, name, name_key,
               evaluated_on, CAST(NULL AS Nullable(Date)), toNullable(toString(grade)), NULL, NULL, toString(source), loaded_at
        FROM public_eval FINAL
    ) AS r
    LEFT JOIN by_name AS n ON n.name_key = r.name_key
) AS m
LEFT JOIN institutions AS i FINAL ON i.uscc = m.candidate
LEFT JOIN v_county_codes AS c ON c.any_code = i.county_code
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'list') AS ll ON ll.code = m.list;

-- v_inspections: the inspection records with their institution, county
-- and Chinese labels; severity is NULL where it does not apply (kinds other
-- than violation).
CREATE OR REPLACE VIEW v_inspections {{.OnCluster}} (
    record_id    String COMMENT '记录编号 record id',
    uscc         String COMMENT '统一社会信用代码 USCC of the institution',
    name         String COMMENT '机构名称 institution name from the register',
    county_code  String COMMENT '区县代码 county code; see counties',
    county_name  String COMMENT '区县名称 county name',
    kind         String COMMENT '类型 violation | fund_fraud | false_materials | conditions_unmet | compliance_failure | commitment_breach',
    kind_zh      String COMMENT '类型 Chinese label of kind',
    severity     Nullable(String) COMMENT '情节 minor | general | serious | major; NULL unless kind = violation',
    severity_zh  Nullable(String) COMMENT '情节 Chinese label of severity',
    handled_on   Date COMMENT '查处日期 date handled',
    rectified_on Nullable(Date) COMMENT '整改完成日期 rectified on; NULL when not rectified',
    refused      Bool COMMENT '拒不整改 refused to rectify or to carry out the decision',
    authority    String COMMENT '查处机关 handling authority',
    measure      String COMMENT '查处措施 measures taken',
    description  String COMMENT '情况说明 description'
) AS
SELECT
    x.record_id AS record_id, x.uscc AS uscc, i.name AS name,
    if(c.code != '', c.code, toString(i.county_code)) AS county_code, c.name AS county_name,
    toString(x.kind) AS kind, lk.zh AS kind_zh,
    if(x.severity = '', NULL, toString(x.severity)) AS severity,
    if(x.severity = '', NULL, ls.zh) AS severity_zh,
    x.handled_on AS handled_on, x.rectified_on AS rectified_on, x.refused AS refused,
    x.authority AS authority, x.measure AS measure, x.description AS description
FROM inspections AS x FINAL
LEFT JOIN institutions AS i FINAL ON i.uscc = x.uscc
LEFT JOIN v_county_codes AS c ON c.any_code = i.county_code
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'inspection_kind') AS lk ON lk.code = x.kind
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'severity') AS ls ON ls.code = x.severity;

-- Column comments of the seven lists, Chinese first (the contract's header
-- name, so DESCRIBE shows what the bureau's files call each column), then
-- English. Only metadata changes. The ingest columns every list shares
-- are commented once, in the block below.
{{define "ingest_columns"}}
    COMMENT COLUMN source '来源 the importer or sync source that loaded the row',
    COMMENT COLUMN source_ref '来源位置 file path or URL (credentials redacted)',
    COMMENT COLUMN source_line '行号 line of the file or position in the listing',
    COMMENT COLUMN batch_id '批次 import_batches.batch_id',
    COMMENT COLUMN loaded_at '载入时间 when the row was stored (UTC)',
    COMMENT COLUMN version '版本 loaded_at in nanoseconds: a later load of the same key wins',
    COMMENT COLUMN row_hash '行哈希 hash of the contract columns: a re-import of an unchanged row writes nothing',
    COMMENT COLUMN extra '其他列 JSON of the input columns outside the contract'{{end}}

ALTER TABLE institutions {{.OnCluster}}
    COMMENT COLUMN uscc '统一社会信用代码 unified social credit code, checked (GB 32100)',
    COMMENT COLUMN name '机构名称 institution name',
    COMMENT COLUMN name_key '名称键 name normalised (NFKC, no spaces, unified brackets) for matching records without a USCC',
    COMMENT COLUMN county_code '区县代码 county (GB/T 2260), from the USCC unless the register gives one; see counties',
    COMMENT COLUMN license_no '许可证编号 licence number',
    COMMENT COLUMN licensed_on '许可日期 licence date',
    COMMENT COLUMN license_status '许可状态 licence status: valid | revoked | cancelled (labels: license_status)',
    COMMENT COLUMN license_status_on '状态变更日期 date of the licence status, e.g. of its revocation',
    COMMENT COLUMN commitment_signed_on '承诺书签订日期 credit commitment signed on; NULL when none is on file',
    COMMENT COLUMN lost_contact_since '失联起始日期 lost contact since; NULL while reachable',
{{template "ingest_columns"}};

ALTER TABLE inspections {{.OnCluster}}
    COMMENT COLUMN record_id '记录编号 record id',
    COMMENT COLUMN uscc '统一社会信用代码 USCC of the institution',
    COMMENT COLUMN kind '类型 violation | fund_fraud | false_materials | conditions_unmet | compliance_failure | commitment_breach (labels: inspection_kind)',
    COMMENT COLUMN severity '情节 minor | general | serious | major; empty unless kind = violation (labels: severity)',
    COMMENT COLUMN handled_on '查处日期 date handled',
    COMMENT COLUMN rectified_on '整改完成日期 rectified on; NULL when not rectified',
    COMMENT COLUMN refused '拒不整改 refused to rectify or to carry out the decision',
    COMMENT COLUMN authority '查处机关 handling authority',
    COMMENT COLUMN measure '查处措施 measures taken',
    COMMENT COLUMN description '情况说明 description',
{{template "ingest_columns"}};

ALTER TABLE annual_reports {{.OnCluster}}
    COMMENT COLUMN uscc '统一社会信用代码 USCC of the institution',
    COMMENT COLUMN year '报告年度 the year reported on',
    COMMENT COLUMN submitted_on '提交日期 submitted on',
{{template "ingest_columns"}};

ALTER TABLE penalties {{.OnCluster}}
    COMMENT COLUMN record_id '决定书文号 decision number',
    COMMENT COLUMN uscc '统一社会信用代码 USCC as published; empty when the source gave only a name (v_list_records matches those by name)',
    COMMENT COLUMN name '企业名称 name as published',
    COMMENT COLUMN name_key '名称键 name normalised (NFKC, no spaces, unified brackets) for matching records without a USCC',
    COMMENT COLUMN decided_on '决定日期 decision date',
    COMMENT COLUMN authority '作出决定机关 deciding authority',
    COMMENT COLUMN content '处罚内容 the penalty',
    COMMENT COLUMN publicity_ended_on '公示截止日期 end of publicity; NULL when open-ended',
{{template "ingest_columns"}};

ALTER TABLE abnormal {{.OnCluster}}
    COMMENT COLUMN uscc '统一社会信用代码 USCC as published; empty when the source gave only a name (v_list_records matches those by name)',
    COMMENT COLUMN name '企业名称 name as published',
    COMMENT COLUMN name_key '名称键 name normalised (NFKC, no spaces, unified brackets) for matching records without a USCC',
    COMMENT COLUMN listed_on '列入日期 listed on',
    COMMENT COLUMN reason '列入原因 reason for listing',
    COMMENT COLUMN authority '作出决定机关 deciding authority',
    COMMENT COLUMN removed_on '移出日期 removed on; NULL while listed',
    COMMENT COLUMN removal_reason '移出原因 reason for removal',
{{template "ingest_columns"}};

ALTER TABLE dishonest {{.OnCluster}}
    COMMENT COLUMN uscc '统一社会信用代码 USCC as published; empty when the source gave only a name (v_list_records matches those by name)',
    COMMENT COLUMN name '主体名称 name as published',
    COMMENT COLUMN name_key '名称键 name normalised (NFKC, no spaces, unified brackets) for matching records without a USCC',
    COMMENT COLUMN listed_on '列入日期 listed on',
    COMMENT COLUMN reason '列入原因 reason for listing',
    COMMENT COLUMN authority '作出决定机关 deciding authority',
    COMMENT COLUMN removed_on '移出日期 removed on; NULL while listed',
{{template "ingest_columns"}};

ALTER TABLE public_eval {{.OnCluster}}
    COMMENT COLUMN uscc '统一社会信用代码 USCC as published; empty when the source gave only a name (v_list_records matches those by name)',
    COMMENT COLUMN name '主体名称 name as published',
    COMMENT COLUMN name_key '名称键 name normalised (NFKC, no spaces, unified brackets) for matching records without a USCC',
    COMMENT COLUMN grade '评价结果 public credit grade: A | B | C | D',
    COMMENT COLUMN grade_label '等级名称 the grade as published, e.g. 优',
    COMMENT COLUMN evaluated_on '评价日期 evaluated on',
{{template "ingest_columns"}};
