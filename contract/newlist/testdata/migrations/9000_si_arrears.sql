-- The test's 社保欠费名单, added as docs/development.md ("Adding a list")
-- says a list is added: its table, the copy grading would read, its
-- labels, and v_list_records made again over the external lists with it.

CREATE TABLE IF NOT EXISTS si_arrears {{.OnCluster}} (
    uscc        String COMMENT '统一社会信用代码 USCC as published; empty when only a name was',
    name        String COMMENT '单位名称 name as published',
    name_key    String COMMENT '名称键 normalised name used for matching',
    listed_on   Date COMMENT '列入日期 day listed',
    reason      String COMMENT '欠费情况 what is owed',
    authority   String COMMENT '作出决定机关 the authority that listed it',
    removed_on  Nullable(Date) COMMENT '移出日期 day removed; NULL while listed',
    source      LowCardinality(String),
    source_ref  String,
    source_line UInt32,
    batch_id    String,
    loaded_at   DateTime64(3, 'Asia/Shanghai') COMMENT '载入时间 when the row was stored',
    version     UInt64,
    row_hash    UInt64,
    extra       String
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (uscc, name_key, listed_on);

CREATE TABLE IF NOT EXISTS si_arrears_registered {{.OnCluster}} AS si_arrears
ENGINE = {{engine "ReplacingMergeTree(version)"}} ORDER BY (uscc, name_key, listed_on)
COMMENT '登记机构的社保欠费记录 social insurance arrears of registered institutions (a copy grading reads)';

{{template "list_labels" (lists "si_arrears")}}

{{template "list_records_view" (lists "penalties" "abnormal" "dishonest" "public_eval" "si_arrears")}}
