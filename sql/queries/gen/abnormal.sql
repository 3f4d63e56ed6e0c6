-- Generated abnormal-operations list (package gen): {n} listings, laid
-- out as in penalties.sql: rows r < {k} about institutions (scenarios,
-- then plain institutions), the rest about enterprises of the pool. Row r
-- is the o-th listing of its entity, o = ⌊(r − k) / {distinct}⌋ for
-- enterprises, each listing in its own 1,100-day span back from the as-of
-- date T, so the key (uscc, name_key, listed_on) never repeats. Over half
-- the listings are removed again, more of the older ones.
INSERT INTO abnormal
    (uscc, name, name_key, listed_on, reason, authority, removed_on, removal_reason,
     source, source_ref, source_line, batch_id, loaded_at, version, row_hash, extra)
WITH
    -- One scenario a line: institution 30 + k, listed and removed (days
    -- before T, -1 not removed), name only.
    [
        (18, 100,  -1,  0),  -- C6
        (19, 500,  300, 0),  -- no C6: removed before T
        (1,  200,  0,   0),  -- no C6: removed on T
        (4,  0,    -1,  0),  -- C6: listed on T
        (10, 1200, -1,  0),  -- C6: listed long ago, never removed
        (7,  50,   -1,  1)   -- C6, matched by name
    ] AS scenario_rows,
    arrayMap(x -> x.1, scenario_rows) AS s_inst,
    arrayMap(x -> x.2, scenario_rows) AS s_listed,
    arrayMap(x -> x.3, scenario_rows) AS s_removed,
    arrayMap(x -> x.4, scenario_rows) AS s_name_only,
    length(s_inst) AS scenarios,
    '0123456789ABCDEFGHJKLMNPQRTUWXY' AS alpha,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 25, 26, 27, 29, 30, 32, 33, 34] AS gb,
    arrayMap(c -> arraySum(arrayMap((x, w) -> (position(alpha, x) - 1) * w, splitByString('', c), [9, 27, 19, 26, 16, 17])),
             {div_codes:Array(String)}) AS div_sums,
    {chars:Array(String)} AS chars,
    length(chars) AS nc,
    ['未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告', '通过登记的住所或者经营场所无法联系',
     '未在责令的期限内公示有关企业信息', '公示企业信息隐瞒真实情况、弄虚作假'] AS reasons,
    ['已补报未报年份的年度报告并公示', '依法办理住所或者经营场所变更登记',
     '已公示有关企业信息', '已更正其公示的企业信息'] AS removal_reasons
SELECT
    uscc, name, name_key, listed_on, reason, authority, removed_on, removal_reason,
    'gen', {source_ref:String}, toUInt32(r + 1), {batch_id:String}, {loaded_at:DateTime64(3, 'UTC')}, {version:UInt64},
    cityHash64(tuple(uscc, name, listed_on, reason, authority, removed_on, removal_reason, name_key)),
    ''
FROM
(
    SELECT
        r, s,
        cityHash64({seed:UInt64}, 'abnormal', r) AS h,
        if(s > 0, s_name_only[s] = 1, h % 100 < 2) AS name_only,
        if(name_only, '', code) AS uscc,
        if(name_only, replaceOne(registered_name, '有限公司', ' 有限公司'), registered_name) AS name,
        lower(replaceAll(name, ' ', '')) AS name_key,
        if(r < {k:UInt64}, if(s > 0, 0, intDiv(r - scenarios, {plain:UInt64})), intDiv(r - {k:UInt64}, {distinct:UInt64})) AS o,
        if(s > 0, subtractDays({as_of:Date}, s_listed[s]), subtractDays({as_of:Date}, o * 1100 + intDiv(h, 100) % 1100)) AS listed_on,
        intDiv(h, 100000) % 100 AS q,
        multiIf(
            s > 0, if(s_removed[s] < 0, NULL, subtractDays({as_of:Date}, s_removed[s])),
            q < 55 OR (o > 0 AND q < 85), addDays(listed_on, 30 + intDiv(h, 10000000) % 900),
            NULL
        ) AS removal,
        if(removal > {as_of:Date}, NULL, removal) AS removed_on,
        if(s > 0, 1, multiIf(intDiv(h, 1000000000) % 100 < 60, 1, intDiv(h, 1000000000) % 100 < 85, 2,
                             intDiv(h, 1000000000) % 100 < 95, 3, 4)) AS reason_no,
        reasons[reason_no] AS reason,
        if(removed_on IS NULL, '', removal_reasons[reason_no]) AS removal_reason,
        concat(transform(division, {div_codes:Array(String)}, {div_names:Array(String)}, ''), '市场监督管理局') AS authority
    FROM
    (
{{template "list_subjects" .}}SETTINGS short_circuit_function_evaluation = 'disable', optimize_on_insert = 0, max_insert_threads = 4
