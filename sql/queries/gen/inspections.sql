-- Generated inspection records (package gen): {n} records, all about the
-- generated institutions. The first rows are scenarios on the scenario
-- institutions (30 + k, see institutions.sql) so that every inspection
-- clause of docs/rules.md holds somewhere, and its near misses occur too,
-- at any scale; day counts are before the as-of date T, -1 meaning
-- exactly T − 1y (outside the window) and -2 the day after (inside).
--
-- The other records fall on the plain institutions in proportion to
-- licence life × conduct, conduct being 1 for 85% of them, 30 for 10% and
-- 200 for 5%: most institutions go years without a record while a few
-- collect many, and an institution's records are dated uniformly over its
-- licence, so the share inside the window does not depend on its age.
-- Each record picks a point of the cumulative weight (ASOF JOIN).
INSERT INTO inspections
    (record_id, uscc, kind, severity, handled_on, rectified_on, refused, authority, measure, description,
     source, source_ref, source_line, batch_id, loaded_at, version, row_hash, extra)
WITH
    -- One scenario a line: institution 30 + k, kind, severity, handled
    -- (days before T), refused, rectified (days before T, -1 not yet).
    [
        (0,  'violation',          'major',   30,  0, 10),   -- D1
        (1,  'violation',          'major',   -1,  0, 300),  -- no D1: handled on T − 1y
        (2,  'violation',          'major',   -2,  0, 300),  -- D1: handled on T − 1y + 1 day
        (3,  'fund_fraud',         '',        60,  0, 20),   -- D2
        (4,  'fund_fraud',         '',        500, 0, 400),  -- no D2: before the window
        (5,  'violation',          'minor',   20,  0, 5),    -- B2, and with the next C1
        (5,  'violation',          'general', 200, 0, 150),  -- C1 (two in the window)
        (6,  'violation',          'serious', 100, 0, 60),   -- C2
        (7,  'violation',          'serious', 700, 0, 600),  -- no C2: before the window
        (8,  'compliance_failure', '',        90,  1, 30),   -- C3 (refused in the window), B3
        (9,  'violation',          'general', 800, 1, -1),   -- C3 (refused, still open)
        (10, 'violation',          'minor',   800, 1, 600),  -- no C3: refused, rectified since
        (11, 'commitment_breach',  '',        90,  0, 60),   -- B1
        (12, 'violation',          'general', 45,  0, 30),   -- B2
        (13, 'compliance_failure', '',        120, 0, 100),  -- B3
        (14, 'false_materials',    '',        150, 0, 120),  -- B4
        (15, 'conditions_unmet',   '',        180, 0, 150),  -- B5
        (16, 'false_materials',    '',        500, 0, 450),  -- no B4: before the window
        (17, 'violation',          'minor',   400, 0, 380)   -- no B2: before the window
    ] AS scenario_rows,
    arrayMap(x -> x.1, scenario_rows) AS s_inst,
    arrayMap(x -> x.2, scenario_rows) AS s_kind,
    arrayMap(x -> x.3, scenario_rows) AS s_severity,
    -- -1 is T − 1y, -2 the day after.
    arrayMap(x -> x.4, scenario_rows) AS s_handled,
    arrayMap(x -> x.5, scenario_rows) AS s_refused,
    arrayMap(x -> x.6, scenario_rows) AS s_rectified,
    length(s_inst) AS scenarios,
    ['violation/minor', 'violation/general', 'violation/serious', 'violation/major', 'fund_fraud/',
     'false_materials/', 'conditions_unmet/', 'compliance_failure/', 'commitment_breach/'] AS keys,
    ['责令限期整改', '警告、责令限期整改', '罚款', '罚款、责令停业整顿', '追回资金、罚款',
     '警告、责令改正', '责令限期整改', '责令限期整改', '约谈、责令限期整改'] AS measures,
    [['未按规定明示营业执照、服务项目、收费标准', '未按规定建立服务台账', '招聘信息要素不全'],
     ['向求职者收取押金', '未按规定签订劳务派遣协议', '超出许可范围开展业务'],
     ['扣押劳动者居民身份证等证件', '发布虚假招聘信息', '以欺诈手段为用人单位招用人员'],
     ['以暴力、胁迫、欺诈等方式进行职业中介活动', '介绍劳动者从事违法活动', '伪造、涂改、转让人力资源服务许可证']] AS violation_texts,
    [['虚报培训人数骗取职业技能培训补贴'], ['申请材料中提供虚假证明'], ['专职工作人员不足', '服务场所不符合设立条件'],
     ['未按规定报送年度报告', '未按规定办理备案', '未按规定书面报告服务开展情况', '未按规定报送统计资料'],
     ['未履行信用承诺事项']] AS other_texts,
    arrayConcat(violation_texts, other_texts) AS texts
SELECT
    record_id, uscc, kind, severity, handled_on, rectified_on, refused, authority, measure, description,
    'gen', {source_ref:String}, toUInt32(r + 1), {batch_id:String}, {loaded_at:DateTime64(3, 'UTC')}, {version:UInt64},
    cityHash64(tuple(record_id, uscc, kind, severity, handled_on, rectified_on, refused, authority, measure, description)),
    ''
FROM
(
    SELECT
        r, s, uscc, county_code,
        cityHash64({seed:UInt64}, 'inspection', r) AS h,
        cityHash64({seed:UInt64}, 'inspection-dates', r) AS hd,
        if(s > 0, s_kind[s], multiIf(h % 100 < 55, 'violation', h % 100 < 75, 'compliance_failure', h % 100 < 82, 'false_materials',
                                     h % 100 < 90, 'conditions_unmet', h % 100 < 98, 'commitment_breach', 'fund_fraud')) AS kind,
        if(s > 0, s_severity[s],
           if(kind = 'violation', multiIf(intDiv(h, 100) % 100 < 45, 'minor', intDiv(h, 100) % 100 < 80, 'general',
                                          intDiv(h, 100) % 100 < 95, 'serious', 'major'), '')) AS severity,
        if(license_status = 'valid', {as_of:Date}, assumeNotNull(license_status_on)) AS active_until,
        multiIf(
            s = 0, addDays(licensed_on, hd % (dateDiff('day', licensed_on, active_until) + 1)),
            s_handled[s] = -1, subtractYears({as_of:Date}, 1),
            s_handled[s] = -2, addDays(subtractYears({as_of:Date}, 1), 1),
            subtractDays({as_of:Date}, s_handled[s])
        ) AS handled_on,
        CAST(if(s > 0, s_refused[s] = 1, intDiv(h, 10000) % 100 < 2) AS Bool) AS refused,
        multiIf(
            s > 0, if(s_rectified[s] < 0, NULL, subtractDays({as_of:Date}, s_rectified[s])),
            refused AND intDiv(hd, 1000000) % 100 < 50, addDays(handled_on, 60 + intDiv(hd, 100000000) % 340),
            NOT refused AND intDiv(hd, 1000000) % 100 < 92, addDays(handled_on, 5 + intDiv(hd, 100000000) % 85),
            NULL
        ) AS rectified,
        if(rectified > {as_of:Date}, NULL, rectified) AS rectified_on,
        concat(transform(county_code, {div_codes:Array(String)}, {div_names:Array(String)}, ''), '人力资源和社会保障局') AS authority,
        concat(kind, '/', severity) AS key,
        transform(key, keys, measures, '') AS measure,
        arrayElement(texts[indexOf(keys, key)], 1 + intDiv(h, 1000000) % length(texts[indexOf(keys, key)])) AS description,
        concat(county_code, '-JC-', toString(toYear(handled_on)), '-', leftPad(toString(r + 1), 8, '0')) AS record_id
    FROM
    (
        -- Scenario rows
        SELECT r, s, uscc, county_code, licensed_on, license_status, license_status_on
        FROM (SELECT number AS r, r + 1 AS s, toUInt64(30 + s_inst[s]) AS i FROM numbers(least({n:UInt64}, scenarios))) AS x
        INNER JOIN
        (
            SELECT toUInt64(source_line - 1) AS i, uscc, county_code, licensed_on, license_status, license_status_on
            FROM institutions
            WHERE batch_id = {batch_id:String}
        ) AS inst USING (i)

        UNION ALL

        -- Weighted rows
        SELECT r, toUInt64(0), uscc, county_code, licensed_on, license_status, license_status_on
        FROM
        (
            SELECT
                number + scenarios AS r,
                toUInt8(0) AS one,
                bitShiftRight(cityHash64({seed:UInt64}, 'inspection-institution', r), 11) / 9007199254740992.0 AS point
            FROM numbers_mt({n:UInt64} - least({n:UInt64}, scenarios))
        ) AS x
        ASOF INNER JOIN
        (
            SELECT
                toUInt8(0) AS one, uscc, county_code, licensed_on, license_status, license_status_on,
                (sum(weight) OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - weight)
                    / sum(weight) OVER () AS start
            FROM
            (
                SELECT
                    toUInt64(source_line - 1) AS i, uscc, county_code, licensed_on, license_status, license_status_on,
                    toUInt64(dateDiff('day', licensed_on, if(license_status = 'valid', {as_of:Date}, assumeNotNull(license_status_on))) + 1)
                        * multiIf(cityHash64({seed:UInt64}, 'conduct', i) % 100 < 85, 1, cityHash64({seed:UInt64}, 'conduct', i) % 100 < 95, 30, 200) AS weight
                FROM institutions
                WHERE batch_id = {batch_id:String} AND NOT (i % 100 BETWEEN 30 AND 49)
            )
        ) AS inst ON x.one = inst.one AND x.point >= inst.start
    )
)
-- Every branch is cheap: evaluating both sides of if() beats masking the
-- long USCC expression row by row. Keys are distinct by construction.
-- Rows are generated and written by parallel streams (numbers_mt).
SETTINGS short_circuit_function_evaluation = 'disable', optimize_on_insert = 0, max_insert_threads = 4
