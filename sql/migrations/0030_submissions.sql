-- The grades the counties submit to the city in their 附件2 tables, one
-- row per institution of a county's table (`import summary`), kept to be
-- compared with creditsync's grades (`report reconcile`). A table filed
-- again for the same unit and date replaces its rows by USCC.

CREATE TABLE IF NOT EXISTS submissions {{.OnCluster}} (
    name             String,
    uscc             String,
    grade            LowCardinality(String) COMMENT 'A | B | C | D as submitted',
    dishonesty       String COMMENT '失信情况 as written',
    measures         String COMMENT '查处情况 as written',
    exemplary        String COMMENT '是否选树为诚信机构典型 as written',
    exemplary_reason String,
    evaluator        String COMMENT '评价单位 as written',
    note             String,
    unit_code        LowCardinality(String) COMMENT 'the submitting unit: a county code or 411000',
    as_of            Date COMMENT 'the date of the submitted grades (填报时间 unless given)',
    source           LowCardinality(String),
    source_ref       String,
    source_line      UInt32,
    batch_id         String,
    loaded_at        DateTime64(3, 'UTC'),
    version          UInt64,
    row_hash         UInt64,
    extra            String
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (unit_code, as_of, uscc);
