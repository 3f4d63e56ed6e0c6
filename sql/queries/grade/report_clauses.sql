-- Annual-report clauses (docs/rules.md §3.1). The report for year N is due on
-- {due_month}-{due_day} of N+1; the due years at {as_of} run from the year
-- of licensing to latest_due.
--   C5: the {c5_years} most recent due years all lack a report submitted
--       by {as_of} (a late report still counts); one evidence row per year.
--   B3: the latest due year, due inside the window, lacks a report
--       submitted by its due date (missing or late).
-- Rows come for the whole register ({only} = '') or one USCC; the caller
-- keeps those of institutions graded at {as_of}.
WITH
    {as_of:Date} AS t,
    subtractMonths(t, {window_months:Int32}) AS window_start,
    toInt32(toYear(t)) - if(makeDate(toYear(t), {due_month:UInt8}, {due_day:UInt8}) <= t, 1, 2) AS latest_due,
    makeDate(latest_due + 1, {due_month:UInt8}, {due_day:UInt8}) AS latest_due_on,
    latest_due - {c5_years:Int32} + 1 AS c5_from,
    -- The reports that can matter, submitted by {as_of}: those of the
    -- {c5_years} most recent due years (C5), which include latest_due (B3).
    -- One pass over each table: the register and the reports are each
    -- read once, grouped per institution.
    recent AS (
        SELECT uscc,
               groupArray(toInt32(year)) AS years,
               countIf(toInt32(year) = latest_due) > 0 AS latest_found,
               anyIf(submitted_on, toInt32(year) = latest_due) AS latest_submitted
        FROM annual_reports FINAL
        WHERE submitted_on <= t
          AND toInt32(year) >= least(c5_from, latest_due) AND toInt32(year) <= latest_due
          AND ({only:String} = '' OR uscc = {only:String})
        GROUP BY uscc
    ),
    joined AS (
        SELECT g.uscc AS uscc, toInt32(toYear(g.licensed_on)) AS licensed_year,
               r.years AS years, r.latest_found AS latest_found, r.latest_submitted AS latest_submitted
        FROM (
            SELECT uscc, licensed_on FROM institutions FINAL
            WHERE {only:String} = '' OR uscc = {only:String}
        ) AS g
        LEFT JOIN recent AS r ON r.uscc = g.uscc
    )
SELECT uscc, e.1 AS clauses, 'annual_report' AS kind, toString(e.2) AS id, e.3 AS date, e.4 AS detail
FROM joined
ARRAY JOIN arrayConcat(
    -- C5: every one of the most recent due years lacks a report.
    if(c5_from >= licensed_year AND NOT hasAny(years, range(c5_from, latest_due + 1)),
       arrayMap(y -> (['C5'], y, makeDate(y + 1, {due_month:UInt8}, {due_day:UInt8}),
                      concat('no report for ', toString(y), ' submitted by ', toString(t),
                             ' (due ', toString(makeDate(y + 1, {due_month:UInt8}, {due_day:UInt8})), ')')),
                range(c5_from, latest_due + 1)),
       []),
    -- B3: the latest due year, due inside the window, lacks a report
    -- submitted by its due date.
    if(latest_due >= licensed_year AND latest_due_on > window_start
         AND NOT (latest_found AND latest_submitted <= latest_due_on),
       [(['B3'], latest_due, latest_due_on,
         if(latest_found,
            concat('report for ', toString(latest_due), ' submitted late on ', toString(latest_submitted), ' (due ', toString(latest_due_on), ')'),
            concat('no report for ', toString(latest_due), ' submitted by its due date ', toString(latest_due_on))))],
       [])
) AS e
