-- Generated public credit evaluations (package gen): {n} evaluations,
-- laid out as in penalties.sql and abnormal.sql, an entity's o-th
-- evaluation falling in its own year back from the as-of date T. Grades
-- are mostly A and B; the label is published as the letter or as
-- 优/良/中/差.
INSERT INTO public_eval
    (uscc, name, name_key, grade, grade_label, evaluated_on,
     source, source_ref, source_line, batch_id, loaded_at, version, row_hash, extra)
WITH
    -- One scenario a line: institution 30 + k, evaluated (days before T),
    -- grade, label as published, name only.
    [
        (2,  100, 'D', 'D',  0),  -- D4
        (4,  500, 'D', '差', 0),  -- an older D …
        (4,  100, 'B', 'B',  0),  -- … then B: no D4
        (7,  50,  'C', '中', 0),
        (10, 30,  'A', 'A',  0),  -- latest A …
        (10, 800, 'D', 'D',  0),  -- … after an old D: no D4
        (16, 60,  'D', '差', 1),  -- D4, matched by name
        (18, 200, 'A', '优', 0)
    ] AS scenario_rows,
    arrayMap(x -> x.1, scenario_rows) AS s_inst,
    arrayMap(x -> x.2, scenario_rows) AS s_evaluated,
    arrayMap(x -> x.3, scenario_rows) AS s_grade,
    arrayMap(x -> x.4, scenario_rows) AS s_label,
    arrayMap(x -> x.5, scenario_rows) AS s_name_only,
    length(s_inst) AS scenarios,
    '0123456789ABCDEFGHJKLMNPQRTUWXY' AS alpha,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 25, 26, 27, 29, 30, 32, 33, 34] AS gb,
    arrayMap(c -> arraySum(arrayMap((x, w) -> (position(alpha, x) - 1) * w, splitByString('', c), [9, 27, 19, 26, 16, 17])),
             {div_codes:Array(String)}) AS div_sums,
    {chars:Array(String)} AS chars,
    length(chars) AS nc,
    ['优', '良', '中', '差'] AS labels
SELECT
    uscc, name, name_key, grade, grade_label, evaluated_on,
    'gen', {source_ref:String}, toUInt32(r + 1), {batch_id:String}, {loaded_at:DateTime64(3, 'UTC')}, {version:UInt64},
    -- The contract columns, then name_key and grade_label.
    cityHash64(tuple(uscc, name, grade, evaluated_on, name_key, grade_label)),
    ''
FROM
(
    SELECT
        r, s,
        cityHash64({seed:UInt64}, 'public_eval', r) AS h,
        if(s > 0, s_name_only[s] = 1, h % 100 < 2) AS name_only,
        if(name_only, '', code) AS uscc,
        if(name_only, replaceOne(registered_name, '有限公司', ' 有限公司'), registered_name) AS name,
        lower(replaceAll(name, ' ', '')) AS name_key,
        if(r < {k:UInt64}, if(s > 0, 0, intDiv(r - scenarios, {plain:UInt64})), intDiv(r - {k:UInt64}, {distinct:UInt64})) AS o,
        if(s > 0, subtractDays({as_of:Date}, s_evaluated[s]), subtractDays({as_of:Date}, o * 365 + intDiv(h, 100) % 365)) AS evaluated_on,
        intDiv(h, 100000) % 1000 AS q,
        -- Institutions fare better than the average enterprise.
        if(r < {k:UInt64}, multiIf(q < 550, 1, q < 920, 2, q < 985, 3, 4), multiIf(q < 350, 1, q < 800, 2, q < 950, 3, 4)) AS grade_no,
        if(s > 0, s_grade[s], ['A', 'B', 'C', 'D'][grade_no]) AS grade,
        if(s > 0, s_label[s], if(intDiv(h, 10000000) % 100 < 40, labels[grade_no], grade)) AS grade_label
    FROM
    (
{{template "list_subjects" .}}SETTINGS short_circuit_function_evaluation = 'disable', optimize_on_insert = 0, max_insert_threads = 4
