-- Generated annual reports (package gen) for the generated institutions:
-- one per institution and year from the later of its licence year and
-- Y − {years} to Y − 1 (Y the as-of year), while the licence lasted. The
-- report for year N is due N+1-03-31 (docs/rules.md §3.1 default). Most are
-- filed on time (1 Jan – 31 Mar), some late, some never; nothing is filed
-- after the as-of date. By p = i % 100 (see institutions.sql):
--   20–22  nothing from Y − 4 on: the three latest due years are missing (C5)
--   23     the latest due year filed late (B3)
--   24     the latest due year missing (B3)
--   30–49  always on time
-- source_line numbers the (institution, year) pairs, so it is stable.
INSERT INTO annual_reports
    (uscc, year, submitted_on, source, source_ref, source_line, batch_id, loaded_at, version, row_hash, extra)
WITH
    toYear({as_of:Date}) AS y,
    y - {years:UInt64} AS first_year,
    -- The latest year whose report is due by the as-of date.
    if({as_of:Date} >= makeDate(y, 3, 31), y - 1, y - 2) AS latest_due
SELECT
    uscc, year, assumeNotNull(submitted_on) AS submitted,
    'gen', {source_ref:String}, toUInt32(i * {years:UInt64} + (year - first_year) + 1), {batch_id:String},
    {loaded_at:DateTime64(3, 'UTC')}, {version:UInt64},
    cityHash64(tuple(uscc, year, submitted)),
    ''
FROM
(
    SELECT
        uscc,
        i,
        year,
        i % 100 AS p,
        cityHash64({seed:UInt64}, 'report', i, year) AS h,
        h % 100 AS q,
        makeDate(year + 1, 3, 31) AS due,
        multiIf(
            p BETWEEN 20 AND 22 AND year >= y - 4, NULL,
            p = 23 AND year = latest_due, addDays(due, 10 + intDiv(h, 100) % 60),
            p = 24 AND year = latest_due, NULL,
            p BETWEEN 30 AND 49 OR q < 95, addDays(makeDate(year + 1, 1, 1), intDiv(h, 100) % 90),
            q < 98, addDays(due, 1 + intDiv(h, 100) % 240),
            NULL
        ) AS submitted_on
    FROM
    (
        SELECT
            uscc,
            toUInt64(source_line - 1) AS i,
            arrayJoin(range(
                toUInt16(greatest(first_year, toYear(licensed_on))),
                toUInt16(if(license_status = 'valid', y, least(y, toYear(assumeNotNull(license_status_on)) + 1)))
            )) AS year
        FROM institutions
        WHERE batch_id = {batch_id:String}
    )
)
WHERE submitted_on IS NOT NULL AND submitted_on <= {as_of:Date}
-- Every branch is cheap: evaluating both sides of if() beats masking the
-- long USCC expression row by row. Keys are distinct by construction.
-- Rows are written by parallel streams.
SETTINGS short_circuit_function_evaluation = 'disable', optimize_on_insert = 0, max_insert_threads = 4
