-- Event times in Asia/Shanghai, like every date of the store: each
-- DateTime64 column that was typed in UTC (loaded_at, recorded_at,
-- started_at, …) is retyped DateTime64(…, 'Asia/Shanghai'). The stored
-- instant does not change, only the zone its type prints it in, so the
-- engine changes metadata only (no part is rewritten); today() and the
-- dates beside them now agree when printed. v_list_records, which
-- declared loaded_at with the old type, is made again with the new one
-- (otherwise as in 0050); 0080 already types v_grade_history so.

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
