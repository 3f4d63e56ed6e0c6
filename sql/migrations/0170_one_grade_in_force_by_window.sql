-- v_current_grades and v_grades_on keep one grade in force per institution
-- (migration 0160) by a window, not by LIMIT 1 BY: a LIMIT in the view,
-- below the county views' filter, made JSON and XML answers state the
-- rows before it (rows_before_limit_at_least), the whole city's count,
-- to a county. The views are otherwise those of 0160.

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
QUALIFY row_number() OVER (PARTITION BY uscc ORDER BY valid_from DESC, recorded_at DESC) = 1
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
QUALIFY row_number() OVER (PARTITION BY uscc ORDER BY valid_from DESC, recorded_at DESC) = 1
ORDER BY uscc;
