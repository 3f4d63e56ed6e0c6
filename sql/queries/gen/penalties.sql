-- Generated administrative penalties (package gen): {n} decisions. Rows
-- r < {k} concern the generated institutions: first the scenarios on the
-- scenario institutions (30 + k, see institutions.sql), which make B6 hold
-- and miss at the window and publicity edges, then a bijection of r onto
-- the plain institutions (those outside 30–49 of each hundred). The rest
-- concern other enterprises: enterprise j of a pool of {pool}, the same j
-- being the same enterprise (code, name) in every list. About 2% of rows
-- carry only a name, as some sources do; an institution's name then
-- differs from the register in spacing only.
INSERT INTO penalties
    (record_id, uscc, name, name_key, decided_on, authority, content, publicity_ended_on,
     source, source_ref, source_line, batch_id, loaded_at, version, row_hash, extra)
WITH
    -- One scenario a line: institution 30 + k, decided (days before T),
    -- publicity ends (days after T, negative before, -9999 never), name only.
    [
        (18, 30,  -9999, 0),  -- B6
        (19, 100, 730,   0),  -- B6
        (1,  200, -20,   0),  -- no B6: publicity ended before T
        (4,  400, -9999, 0),  -- no B6: before the window
        (7,  -1,  730,   0),  -- no B6: decided on T − 1y
        (16, -2,  730,   0),  -- B6: decided on T − 1y + 1 day
        (17, 60,  0,     0),  -- no B6: publicity ends on T
        (12, 80,  365,   1)   -- B6, matched by name
    ] AS scenario_rows,
    arrayMap(x -> x.1, scenario_rows) AS s_inst,
    -- -1 is T − 1y, -2 the day after.
    arrayMap(x -> x.2, scenario_rows) AS s_decided,
    arrayMap(x -> x.3, scenario_rows) AS s_ends,
    arrayMap(x -> x.4, scenario_rows) AS s_name_only,
    length(s_inst) AS scenarios,
    '0123456789ABCDEFGHJKLMNPQRTUWXY' AS alpha,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 25, 26, 27, 29, 30, 32, 33, 34] AS gb,
    arrayMap(c -> arraySum(arrayMap((x, w) -> (position(alpha, x) - 1) * w, splitByString('', c), [9, 27, 19, 26, 16, 17])),
             {div_codes:Array(String)}) AS div_sums,
    {chars:Array(String)} AS chars,
    length(chars) AS nc,
    ['未经许可从事职业中介活动', '发布虚假招聘广告', '违规向求职者收取费用', '未按规定公示年度报告信息'] AS institution_reasons,
    ['未按规定公示年度报告信息', '销售不符合安全标准的产品', '发布虚假广告', '未取得许可从事经营活动',
     '不执行政府定价', '违反食品安全管理规定', '擅自变更登记事项', '虚假宣传'] AS enterprise_reasons
SELECT
    record_id, uscc, name, name_key, decided_on, authority, content, publicity_ended_on,
    'gen', {source_ref:String}, toUInt32(r + 1), {batch_id:String}, {loaded_at:DateTime64(3, 'UTC')}, {version:UInt64},
    cityHash64(tuple(record_id, uscc, name, decided_on, authority, content, publicity_ended_on, name_key)),
    ''
FROM
(
    SELECT
        r, s,
        cityHash64({seed:UInt64}, 'penalty', r) AS h,
        if(s > 0, s_name_only[s] = 1, h % 100 < 2) AS name_only,
        if(name_only, '', code) AS uscc,
        if(name_only, replaceOne(registered_name, '有限公司', ' 有限公司'), registered_name) AS name,
        lower(replaceAll(name, ' ', '')) AS name_key,
        multiIf(
            s = 0, subtractDays({as_of:Date}, intDiv(h, 100) % 1826),
            s_decided[s] = -1, subtractYears({as_of:Date}, 1),
            s_decided[s] = -2, addDays(subtractYears({as_of:Date}, 1), 1),
            subtractDays({as_of:Date}, s_decided[s])
        ) AS decided_on,
        multiIf(
            s > 0, if(s_ends[s] = -9999, NULL, addDays({as_of:Date}, s_ends[s])),
            intDiv(h, 1000000) % 100 < 25, NULL,
            intDiv(h, 1000000) % 100 < 60, addYears(decided_on, 3),
            intDiv(h, 1000000) % 100 < 85, addYears(decided_on, 1),
            addDays(decided_on, 90 + intDiv(h, 100000000) % 200)
        ) AS publicity_ended_on,
        concat(transform(division, {div_codes:Array(String)}, {div_names:Array(String)}, ''), '市场监督管理局') AS authority,
        if(r < {k:UInt64},
           institution_reasons[1 + intDiv(h, 10000000000) % length(institution_reasons)],
           enterprise_reasons[1 + intDiv(h, 10000000000) % length(enterprise_reasons)]) AS reason,
        (1 + intDiv(h, 1000000000000) % 50) * 1000 AS fine,
        concat('因', reason, '被处', multiIf(
            intDiv(h, 100000000000000) % 10 < 2, '警告',
            intDiv(h, 100000000000000) % 10 < 8, concat('罚款', toString(fine), '元'),
            concat('没收违法所得', toString(intDiv(fine, 4)), '元并处罚款', toString(fine), '元'))) AS content,
        concat(transform(division, {div_codes:Array(String)}, {div_places:Array(String)}, ''),
               '市监罚〔', toString(toYear(decided_on)), '〕', toString(r + 1), '号') AS record_id
    FROM
    (
{{template "list_subjects" .}}SETTINGS short_circuit_function_evaluation = 'disable', optimize_on_insert = 0, max_insert_threads = 4
