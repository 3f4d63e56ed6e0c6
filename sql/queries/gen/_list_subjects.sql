{{/*
    Whom the external lists are about, shared by every list's generator:
    list_subjects is the registered institutions (from this batch's
    register) followed by other_enterprises, the enterprises that are not
    HR service institutions, with the same identity (USCC, name, division)
    for the same enterprise in every list. Included by penalties, abnormal,
    dishonest and public_eval with {{template "list_subjects" .}}.
*/}}{{define "list_subjects"}}        -- About institutions
        SELECT r, s, uscc AS code, name AS registered_name, substring(uscc, 3, 6) AS division
        FROM
        (
            SELECT
                number AS r,
                if(r < scenarios, r + 1, 0) AS s,
                ((r - scenarios) % {plain:UInt64} * {plain_mul:UInt64} + {plain_add:UInt64}) % {plain:UInt64} AS pj,
                toUInt64(if(s > 0, 30 + s_inst[s], intDiv(pj, 80) * 100 + pj % 80 + if(pj % 80 >= 30, 20, 0))) AS i
            FROM numbers({k:UInt64})
        ) AS x
        INNER JOIN
        (
            SELECT toUInt64(source_line - 1) AS i, uscc, name
            FROM institutions
            WHERE batch_id = {batch_id:String}
        ) AS inst USING (i)

        UNION ALL

{{template "other_enterprises" .}}{{end}}{{define "other_enterprises"}}        -- About other enterprises. Identity as in every list: this block
        -- is shared by penalties, abnormal, dishonest and public_eval.
        -- Layered so that each step sees columns, not the alias chains
        -- below it, which the analyzer would expand.
        SELECT r, toUInt64(0), code, registered_name, division
        FROM
        (
            SELECT
                r, division, registered_name,
                concat(prefix, multiIf(org_check = 10, 'X', org_check = 11, '0', toString(org_check)),
                       substring(alpha, 1 + (31 - (base_sum + multiIf(org_check = 10, 29, org_check = 11, 0, org_check) * 28) % 31) % 31, 1)) AS code
            FROM
            (
                SELECT
                    r, division, registered_name,
                    concat(reg, division, head, arrayStringConcat(arrayMap(x -> substring(alpha, x + 1, 1), digits))) AS prefix,
                    11 - (gb[position(alpha, substring(head, 1, 1))] * 3 + gb[position(alpha, substring(head, 2, 1))] * 7
                          + arraySum(arrayMap((x, w) -> gb[x + 1] * w, digits, [9, 10, 5, 8, 4, 2]))) % 11 AS org_check,
                    (ascii(reg) - 48) + (ascii(substring(reg, 2, 1)) - 48) * 3
                    + transform(division, {div_codes:Array(String)}, div_sums, 0)
                    + (position(alpha, substring(head, 1, 1)) - 1) * 20 + (position(alpha, substring(head, 2, 1)) - 1) * 29
                    + arraySum(arrayMap((x, w) -> x * w, digits, [25, 13, 8, 24, 10, 30])) AS base_sum
                FROM
                (
                    SELECT
                        r, reg, division, head,
                        arrayMap(q -> intDiv(v, q) % 31, [28629151, 923521, 29791, 961, 31, 1]) AS digits,
                        transform(division, {div_codes:Array(String)}, {div_places:Array(String)}, '') AS place,
                        transform(division, {div_codes:Array(String)}, {div_names:Array(String)}, '') AS unit,
                        multiIf(
                            reg = '91', concat(if(pick % 100 < 30, unit, place), trade,
                                               {company_suffixes:Array(String)}[1 + intDiv(pick, 100) % length({company_suffixes:Array(String)})]),
                            reg = '92', concat(unit, trade, {shop_suffixes:Array(String)}[1 + intDiv(pick, 100) % length({shop_suffixes:Array(String)})]),
                            concat(unit, trade, {coop_suffixes:Array(String)}[1 + intDiv(pick, 100) % length({coop_suffixes:Array(String)})])
                        ) AS registered_name
                    FROM
                    (
                        SELECT
                            r, j, reg, division, pick,
                            if(style < 85, 'MA', leftPad(toString(style), 2, '0')) AS head,
                            ((200000000 + j) * {id_mul:UInt64} + {id_add:UInt64}) % 887503681 AS v,
                            intDiv(j, nc * nc) AS t,
                            concat(chars[1 + j % nc], chars[1 + intDiv(j, nc) % nc],
                                   if(t = 0, '', chars[1 + (t - 1) % nc]), if(t <= nc, '', chars[intDiv(t - 1, nc)])) AS trade
                        FROM
                        (
                            SELECT
                                r, j,
                                multiIf(eh % 100 < 75, '91', eh % 100 < 93, '92', '93') AS reg,
                                {ent_divs:Array(String)}[1 + intDiv(eh, 100) % length({ent_divs:Array(String)})] AS division,
                                intDiv(eh, 100000) % 100 AS style,
                                intDiv(eh, 10000000) AS pick
                            FROM
                            (
                                SELECT
                                    number + {k:UInt64} AS r,
                                    ((number % {distinct:UInt64}) * {pool_mul:UInt64} + {pool_add:UInt64}) % {pool:UInt64} AS j,
                                    cityHash64({seed:UInt64}, 'enterprise', j) AS eh
                                FROM numbers_mt({n:UInt64} - {k:UInt64})
                            )
                        )
                    )
                )
            )
        )
    )
)
-- Every branch is cheap: evaluating both sides of if() beats masking the
-- long USCC expression row by row. Keys are distinct by construction.
-- Rows are generated and written by parallel streams (numbers_mt).
{{end}}