-- Blocks a migration that adds a list includes (docs/development.md,
-- "Adding a list"), each given the lists by name with the function
-- lists, as in: template "list_records_view" (lists "penalties" …). A released
-- migration's text never changes, and neither may what it renders to:
-- sql/testdata/migrations.sum pins every migration's rendered text, so
-- a change here (or in the contract columns a block reads) that would
-- alter one fails the tests; make a new block instead.

{{define "list_labels"}}
INSERT INTO labels (domain, code, zh, version) VALUES
{{- range $i, $l := .Lists}}{{if $i}},{{end}}
    ('list', '{{$l.Name}}', '{{$l.Title}}', 1),
    ('evidence_kind', '{{$l.Evidence}}', '{{$l.Title}}', 1){{end}};
{{end}}

{{define "list_records_view"}}
-- v_list_records: the records of the external lists in one view, with the
-- institution each was matched to and how. A record with a USCC belongs
-- to the registered institution with that code; one without belongs to
-- the institution whose normalised name (name_key) it shares when exactly
-- one institution has that name — the rule grading uses. A join on
-- listed_uscc misses the name matches; join on uscc instead.
CREATE OR REPLACE VIEW v_list_records {{.OnCluster}} (
    list             String COMMENT '名单 {{range $i, $l := .Lists}}{{if $i}} | {{end}}{{$l.Name}}{{end}}',
    list_zh          String COMMENT '名单 label of list: {{range $i, $l := .Lists}}{{if $i}} | {{end}}{{$l.Title}}{{end}}',
    record_key       String COMMENT '记录编号 the record''s own number, or <uscc or name key>|<date>; v_clause_evidence.record_id',
    uscc             Nullable(String) COMMENT '匹配机构代码 USCC of the institution matched; NULL when none',
    matched_by       Nullable(String) COMMENT '匹配方式 uscc | name; NULL when no institution matched',
    matched_by_zh    Nullable(String) COMMENT '匹配方式 label of matched_by: 统一社会信用代码 | 名称',
    institution_name Nullable(String) COMMENT '机构名称 name of the institution matched, from the register',
    county_code      Nullable(String) COMMENT '区县代码 of the institution matched',
    county_name      Nullable(String) COMMENT '区县名称 of the institution matched',
    listed_uscc      Nullable(String) COMMENT '名单所载代码 the USCC as published; NULL when the source gave only a name',
    listed_name      String COMMENT '名单所载名称 the name as published',
    name_key         String COMMENT '名称键 normalised name used for matching',
    on_date          Date COMMENT '日期 the day the record was decided, listed or evaluated',
    ends_on          Nullable(Date) COMMENT '截止/移出日期 end of publicity or removal; NULL when open or not applicable',
    grade            Nullable(String) COMMENT '评价结果 A | B | C | D for an evaluation; NULL for the other lists',
    reason           Nullable(String) COMMENT '内容/原因 content or listing reason; NULL when the list has none',
    authority        Nullable(String) COMMENT '决定机关 deciding authority; NULL when the list has none',
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
{{- range $i, $l := .Lists}}
        {{if $i}}UNION ALL
        {{end}}SELECT '{{$l.Name}}' AS list,
               {{if $l.RecordKey}}{{$l.RecordKey}}{{else}}concat(if(uscc != '', uscc, name_key), '|', toString({{$l.DateKey}})){{end}} AS record_key,
               uscc AS listed_uscc, name AS listed_name, name_key,
               {{$l.On}} AS on_date,
               {{if $l.Ends}}CAST({{$l.Ends}} AS Nullable(Date)){{else}}CAST(NULL AS Nullable(Date)){{end}} AS ends_on,
               {{if $l.Grade}}toNullable(toString(grade)){{else}}CAST(NULL AS Nullable(String)){{end}} AS grade,
               {{if $l.Reason}}toNullable({{$l.Reason}}){{else}}CAST(NULL AS Nullable(String)){{end}} AS reason,
               {{if $l.Authority}}toNullable(authority){{else}}CAST(NULL AS Nullable(String)){{end}} AS authority,
               toString(source) AS source, loaded_at
        FROM {{$l.Name}} FINAL
{{- end}}
    ) AS r
    LEFT JOIN by_name AS n ON n.name_key = r.name_key
) AS m
LEFT JOIN institutions AS i FINAL ON i.uscc = m.candidate
LEFT JOIN v_county_codes AS c ON c.any_code = i.county_code
LEFT JOIN (SELECT code, zh FROM labels FINAL WHERE domain = 'list') AS ll ON ll.code = m.list;
{{end}}
