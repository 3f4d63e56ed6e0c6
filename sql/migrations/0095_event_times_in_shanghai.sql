-- Event times in Asia/Shanghai, like every date of the store: each
-- DateTime64 column that was typed in UTC (loaded_at, recorded_at,
-- started_at, …) is retyped DateTime64(…, 'Asia/Shanghai'). The stored
-- instant does not change, only the zone its type prints it in, so the
-- engine changes metadata only (no part is rewritten); today() and the
-- dates beside them now agree when printed. Views that declared these
-- columns with their old type are made again with the new one (their
-- definitions are otherwise those of 0050 and 0080).

ALTER TABLE abnormal {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE abnormal_registered {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE annual_reports {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE dishonest {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE dishonest_registered {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE external_records {{.OnCluster}}
    MODIFY COLUMN first_seen DateTime64(3, 'Asia/Shanghai'),
    MODIFY COLUMN last_seen DateTime64(3, 'Asia/Shanghai'),
    MODIFY COLUMN missed_at Nullable(DateTime64(3, 'Asia/Shanghai'));

ALTER TABLE grade_history {{.OnCluster}}
    MODIFY COLUMN recorded_at DateTime64(3, 'Asia/Shanghai');

ALTER TABLE grade_runs {{.OnCluster}}
    MODIFY COLUMN started DateTime64(3, 'Asia/Shanghai'),
    MODIFY COLUMN finished Nullable(DateTime64(3, 'Asia/Shanghai'));

ALTER TABLE import_batches {{.OnCluster}}
    MODIFY COLUMN started_at DateTime64(3, 'Asia/Shanghai'),
    MODIFY COLUMN finished_at DateTime64(3, 'Asia/Shanghai');

ALTER TABLE import_rejects {{.OnCluster}}
    MODIFY COLUMN rejected_at DateTime64(3, 'Asia/Shanghai');

ALTER TABLE inspections {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE institutions {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE job_runs {{.OnCluster}}
    MODIFY COLUMN started_at DateTime64(3, 'Asia/Shanghai'),
    MODIFY COLUMN finished_at Nullable(DateTime64(3, 'Asia/Shanghai'));

ALTER TABLE leases {{.OnCluster}}
    MODIFY COLUMN claimed_at DateTime64(3, 'Asia/Shanghai'),
    MODIFY COLUMN expires_at DateTime64(3, 'Asia/Shanghai');

ALTER TABLE penalties {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE penalties_registered {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE public_eval {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE public_eval_registered {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored';

ALTER TABLE raw_pages {{.OnCluster}}
    MODIFY COLUMN fetched_at DateTime64(3, 'Asia/Shanghai');

ALTER TABLE review_queue {{.OnCluster}}
    MODIFY COLUMN queued_at DateTime64(3, 'Asia/Shanghai');

ALTER TABLE schema_migrations {{.OnCluster}}
    MODIFY COLUMN started_at DateTime64(3, 'Asia/Shanghai'),
    MODIFY COLUMN updated_at DateTime64(6, 'Asia/Shanghai');

ALTER TABLE submissions {{.OnCluster}}
    MODIFY COLUMN loaded_at DateTime64(3, 'Asia/Shanghai');

ALTER TABLE sync_pending {{.OnCluster}}
    MODIFY COLUMN fetched_at DateTime64(3, 'Asia/Shanghai');

ALTER TABLE sync_runs {{.OnCluster}}
    MODIFY COLUMN started_at DateTime64(3, 'Asia/Shanghai'),
    MODIFY COLUMN finished_at Nullable(DateTime64(3, 'Asia/Shanghai'));

ALTER TABLE sync_state {{.OnCluster}}
    MODIFY COLUMN snapshot_started Nullable(DateTime64(3, 'Asia/Shanghai')),
    MODIFY COLUMN watermark Nullable(DateTime64(3, 'Asia/Shanghai')),
    MODIFY COLUMN updated_at DateTime64(3, 'Asia/Shanghai');

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
    recorded_at       DateTime64(3, 'Asia/Shanghai') COMMENT '记录时间 when the row was written (Asia/Shanghai)',
    evidence          String COMMENT '证据 JSON: clauses with id, grade, text and evidence items; v_clause_evidence has one row per item',
    county_name       String COMMENT '区县名称 county name ('''' outside Xuchang)',
    status_zh         String COMMENT '状态 Chinese label of status',
    run_kind_zh       String COMMENT '来源 Chinese label of run_kind',
    clause_texts      Array(String) COMMENT '条款及原文 "ID wording" of each clause that holds, as recorded',
    license_status    String COMMENT '许可状态 the licence now: valid | revoked | cancelled',
    license_ended_on  Nullable(Date) COMMENT '许可终止日 day the licence was cancelled (注销), which ends the grade in force; NULL while it stands and for a revoked licence, whose D (D3) stays in force'
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
    if(i.license_status = 'cancelled', i.license_status_on, NULL) AS license_ended_on
FROM grade_history AS h FINAL
INNER JOIN grade_runs AS r FINAL ON r.run_id = h.run_id
LEFT JOIN institutions AS i FINAL ON i.uscc = h.uscc
LEFT JOIN v_county_codes AS c ON c.any_code = i.county_code
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'grade_status') AS ls ON ls.code = h.status
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'run_kind') AS lk ON lk.code = r.kind
WHERE r.finished IS NOT NULL
ORDER BY uscc, recorded_at DESC;

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
    loaded_at        DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the record was stored (Asia/Shanghai)'
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
