-- Generated list of seriously dishonest entities (package gen): {n}
-- listings, laid out as in penalties.sql and abnormal.sql, each listing
-- of an entity in its own 1,500-day span back from the as-of date T. A
-- listing ends three years on, or earlier (after at least a year) on
-- credit repair.
INSERT INTO dishonest
    (uscc, name, name_key, listed_on, reason, authority, removed_on,
     source, source_ref, source_line, batch_id, loaded_at, version, row_hash, extra)
WITH
    -- One scenario a line: institution 30 + k, listed and removed (days
    -- before T, -1 not removed), name only.
    [
        (0,  300, -1,  0),  -- D5
        (3,  800, 200, 0),  -- no D5: removed before T
        (17, 400, 0,   0),  -- no D5: removed on T
        (13, 60,  -1,  1)   -- D5, matched by name
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
    ['被列入经营异常名录届满3年仍未履行相关义务', '提交虚假材料或者采取其他欺诈手段隐瞒重要事实取得市场主体登记',
     '因严重违法行为受到较重行政处罚', '拒不履行生效法律文书确定的义务'] AS reasons
SELECT
    uscc, name, name_key, listed_on, reason, authority, removed_on,
    'gen', {source_ref:String}, toUInt32(r + 1), {batch_id:String}, {loaded_at:DateTime64(3, 'UTC')}, {version:UInt64},
    cityHash64(tuple(uscc, name, listed_on, reason, authority, removed_on, name_key)),
    ''
FROM
(
    SELECT
        r, s,
        cityHash64({seed:UInt64}, 'dishonest', r) AS h,
        if(s > 0, s_name_only[s] = 1, h % 100 < 2) AS name_only,
        if(name_only, '', code) AS uscc,
        if(name_only, replaceOne(registered_name, '有限公司', ' 有限公司'), registered_name) AS name,
        lower(replaceAll(name, ' ', '')) AS name_key,
        if(r < {k:UInt64}, if(s > 0, 0, intDiv(r - scenarios, {plain:UInt64})), intDiv(r - {k:UInt64}, {distinct:UInt64})) AS o,
        if(s > 0, subtractDays({as_of:Date}, s_listed[s]), subtractDays({as_of:Date}, o * 1500 + intDiv(h, 100) % 1500)) AS listed_on,
        multiIf(
            s > 0, if(s_removed[s] < 0, NULL, subtractDays({as_of:Date}, s_removed[s])),
            intDiv(h, 100000) % 100 < 35, addDays(listed_on, 365 + intDiv(h, 10000000) % 700),
            addYears(listed_on, 3)
        ) AS removal,
        if(removal > {as_of:Date}, NULL, removal) AS removed_on,
        reasons[if(s > 0, 1, 1 + intDiv(h, 1000000000) % length(reasons))] AS reason,
        concat(transform(division, {div_codes:Array(String)}, {div_names:Array(String)}, ''), '市场监督管理局') AS authority
    FROM
    (
{{template "list_subjects" .}}SETTINGS short_circuit_function_evaluation = 'disable', optimize_on_insert = 0, max_insert_threads = 4
