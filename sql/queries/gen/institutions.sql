-- Generated institutions (package gen): {n} licensed human-resource service
-- institutions, institution i on source_line i + 1. Values come from
-- hashes of (seed, i), so a seed and as-of date give the same set every
-- time. The profile is fixed by p = i % 100, so each institution-level
-- clause of docs/rules.md occurs at every scale of 100 or more:
--   1, 51          licence revoked (D3)
--   2, 27, 52, 77  licence cancelled (not graded from that date)
--   3              lost contact more than a year ago (C4)
--   4              lost contact within the year (no C4)
--   5              lost contact exactly T − 1y (C4: 1年以上 includes the day)
--   6              lost contact T − 1y + 1 day (no C4)
--   10–13          no signed commitment (B1)
--   20–22          stopped filing annual reports (C5, see annual_reports)
--   23, 24         latest due report late / missing (B3, see annual_reports)
--   30–49          scenario institutions: the other lists' scenario rows
--                  fall on 30–49 themselves and nothing else does, so
--                  130–149, 230–249 … stay without any record
-- The profiles that need history (3–6, 20–24, 30–49) are licensed at least
-- six years before the as-of date.
--
-- USCC: registration authority and type (91 market, 12 public, 52
-- non-profit), division code, an 8-character organisation code with its
-- GB 11714 check character, then the GB 32100-2015 check character. The
-- organisation code is 2 characters of style ('MA', 'MJ' or digits) and 6
-- base-31 digits of v, a bijection of i on [0, 31^6): enterprises use
-- indexes from 200,000,000 on, so no two entities share a code.
INSERT INTO institutions
    (uscc, name, name_key, county_code, license_no, licensed_on, license_status, license_status_on,
     commitment_signed_on, lost_contact_since,
     source, source_ref, source_line, batch_id, loaded_at, version, row_hash, extra)
WITH
    '0123456789ABCDEFGHJKLMNPQRTUWXY' AS alpha,
    -- GB 11714 value of each USCC character: letters count A=10 … Z=35.
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 25, 26, 27, 29, 30, 32, 33, 34] AS gb,
    -- Weighted sum of each division code's characters at USCC positions 3–8.
    arrayMap(c -> arraySum(arrayMap((x, w) -> (position(alpha, x) - 1) * w, splitByString('', c), [9, 27, 19, 26, 16, 17])),
             {div_codes:Array(String)}) AS div_sums,
    {chars:Array(String)} AS chars,
    length(chars) AS nc
SELECT
    uscc, name, name_key, county_code, license_no, licensed_on, license_status, license_status_on,
    commitment_signed_on, lost_contact_since,
    'gen', {source_ref:String}, toUInt32(i + 1), {batch_id:String}, {loaded_at:DateTime64(3, 'UTC')}, {version:UInt64},
    -- As the loader computes it: the contract columns, then name_key.
    cityHash64(tuple(uscc, name, county_code, license_no, licensed_on, license_status, license_status_on,
                     commitment_signed_on, lost_contact_since, name_key)),
    ''
FROM
(
    SELECT
        number AS i,
        i % 100 AS p,
        cityHash64({seed:UInt64}, 'institution', i) AS h,
        cityHash64({seed:UInt64}, 'institution-dates', i) AS hd,

        multiIf(h % 100 < 5, '12', h % 100 < 13, '52', '91') AS reg,
        reg = '91' AND intDiv(h, 100) % 100 < {branch_pct:UInt64} AS branch,
        {inst_divs:Array(String)}[1 + intDiv(h, 10000) % length({inst_divs:Array(String)})] AS licensed_in,
        if(branch, {branch_divs:Array(String)}[1 + intDiv(h, 1000000) % length({branch_divs:Array(String)})], licensed_in) AS division,
        transform(licensed_in, {div_codes:Array(String)}, {div_counties:Array(String)}, licensed_in) AS county_code,

        -- USCC
        intDiv(h, 100000000) % 100 AS style,
        multiIf(reg = '52', 'MJ', reg = '91' AND style < 80, 'MA', leftPad(toString(style), 2, '0')) AS head,
        (i * {id_mul:UInt64} + {id_add:UInt64}) % 887503681 AS v,
        arrayMap(q -> intDiv(v, q) % 31, [28629151, 923521, 29791, 961, 31, 1]) AS digits,
        11 - (gb[position(alpha, substring(head, 1, 1))] * 3 + gb[position(alpha, substring(head, 2, 1))] * 7
              + arraySum(arrayMap((x, w) -> gb[x + 1] * w, digits, [9, 10, 5, 8, 4, 2]))) % 11 AS org_check,
        ((ascii(reg) - 48) + (ascii(substring(reg, 2, 1)) - 48) * 3
         + transform(division, {div_codes:Array(String)}, div_sums, 0)
         + (position(alpha, substring(head, 1, 1)) - 1) * 20 + (position(alpha, substring(head, 2, 1)) - 1) * 29
         + arraySum(arrayMap((x, w) -> x * w, digits, [25, 13, 8, 24, 10, 30]))
         + multiIf(org_check = 10, 29, org_check = 11, 0, org_check) * 28) % 31 AS check_sum,
        concat(reg, division, head, arrayStringConcat(arrayMap(x -> substring(alpha, x + 1, 1), digits)),
               multiIf(org_check = 10, 'X', org_check = 11, '0', toString(org_check)),
               substring(alpha, 1 + (31 - check_sum) % 31, 1)) AS uscc,

        -- Name: trade name from a bijection of i onto [0, {trade_space}):
        -- two characters while they suffice, else at most three.
        (i * {trade_mul:UInt64} + {trade_add:UInt64}) % {trade_space:UInt64} AS t,
        concat(chars[1 + t % nc], chars[1 + intDiv(t, nc) % nc], if(t < nc * nc, '', chars[intDiv(t, nc * nc)])) AS trade,
        transform(licensed_in, {div_codes:Array(String)}, {div_places:Array(String)}, '') AS place,
        transform(licensed_in, {div_codes:Array(String)}, {div_names:Array(String)}, '') AS unit,
        intDiv(hd, 1000000000) % 100 AS style2,
        multiIf(
            branch,
            concat(transform(division, {div_codes:Array(String)}, {div_places:Array(String)}, ''), trade, '人力资源服务有限公司', place, '分公司'),
            reg = '12', concat(unit, trade, {public_suffixes:Array(String)}[1 + style2 % length({public_suffixes:Array(String)})]),
            reg = '52', concat(place, trade, {nonprofit_suffixes:Array(String)}[1 + style2 % length({nonprofit_suffixes:Array(String)})]),
            style2 < 4, concat(trade, '人力资源服务(', place, ')有限公司'),
            -- A space typed between place and trade name survives import.
            style2 < 6, concat(place, ' ', trade, {hr_suffixes:Array(String)}[1 + intDiv(hd, 100) % length({hr_suffixes:Array(String)})]),
            concat(if(style2 < 40 AND unit != '', unit, place), trade,
                   {hr_suffixes:Array(String)}[1 + intDiv(hd, 100) % length({hr_suffixes:Array(String)})])
        ) AS name,
        -- transform.NormalizeName for names made of the parts above.
        lower(replaceAll(name, ' ', '')) AS name_key,

        -- Dates
        (p BETWEEN 3 AND 6) OR (p BETWEEN 20 AND 24) OR (p BETWEEN 30 AND 49) AS veteran,
        subtractDays({as_of:Date}, if(veteran, 2200 + hd % 3300, 1 + hd % 5400)) AS licensed_on,
        multiIf(p IN (1, 51), 'revoked', p IN (2, 27, 52, 77), 'cancelled', 'valid') AS license_status,
        if(license_status = 'valid', NULL,
           addDays(licensed_on, intDiv(hd, 10000) % (dateDiff('day', licensed_on, {as_of:Date}) + 1))) AS license_status_on,
        if(p BETWEEN 10 AND 13, NULL,
           least({as_of:Date}, addDays(greatest(licensed_on, subtractYears({as_of:Date}, 3)), intDiv(hd, 100000) % 120))) AS commitment_signed_on,
        multiIf(p = 3, subtractDays({as_of:Date}, 366 + intDiv(hd, 1000000) % 1500),
                p = 4, subtractDays({as_of:Date}, intDiv(hd, 1000000) % 360),
                p = 5, subtractYears({as_of:Date}, 1),
                p = 6, addDays(subtractYears({as_of:Date}, 1), 1),
                NULL) AS lost_contact_since,
        concat('人服证字〔', toString(toYear(licensed_on)), '〕', county_code, leftPad(toString(i + 1), 7, '0'), '号') AS license_no
    FROM numbers_mt({n:UInt64})
)
-- Every branch is cheap: evaluating both sides of if() beats masking the
-- long USCC expression row by row. Keys are distinct by construction.
-- Rows are generated and written by parallel streams (numbers_mt).
SETTINGS short_circuit_function_evaluation = 'disable', optimize_on_insert = 0, max_insert_threads = 4
