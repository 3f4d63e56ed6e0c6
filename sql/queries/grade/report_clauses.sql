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
    registered AS (
        SELECT uscc, licensed_on FROM institutions FINAL
        WHERE {only:String} = '' OR uscc = {only:String}
    ),
    reports AS (
        SELECT uscc, toInt32(year) AS year, submitted_on
        FROM annual_reports FINAL
        WHERE submitted_on <= t AND uscc IN (SELECT uscc FROM registered)
    ),
    c5_years AS (
        SELECT uscc, arrayJoin(range(latest_due - {c5_years:Int32} + 1, latest_due + 1)) AS year
        FROM registered
        WHERE latest_due - {c5_years:Int32} + 1 >= toYear(licensed_on)
    ),
    c5 AS (
        SELECT uscc
        FROM c5_years
        WHERE (uscc, year) NOT IN (SELECT uscc, year FROM reports)
        GROUP BY uscc
        HAVING count() = {c5_years:Int32}
    )
SELECT uscc, ['C5'] AS clauses, 'annual_report' AS kind, toString(year) AS id,
       makeDate(year + 1, {due_month:UInt8}, {due_day:UInt8}) AS date,
       concat('no report for ', toString(year), ' submitted by ', toString(t),
              ' (due ', toString(makeDate(year + 1, {due_month:UInt8}, {due_day:UInt8})), ')') AS detail
FROM c5_years
WHERE uscc IN (SELECT uscc FROM c5)

UNION ALL

SELECT g.uscc, ['B3'], 'annual_report', toString(latest_due), latest_due_on,
       if(r.found = 1,
          concat('report for ', toString(latest_due), ' submitted late on ', toString(r.submitted_on), ' (due ', toString(latest_due_on), ')'),
          concat('no report for ', toString(latest_due), ' submitted by its due date ', toString(latest_due_on)))
FROM registered AS g
LEFT JOIN (SELECT uscc, submitted_on, 1 AS found FROM reports WHERE year = latest_due) AS r ON r.uscc = g.uscc
WHERE latest_due >= toYear(g.licensed_on)
  AND latest_due_on > window_start
  AND NOT (r.found = 1 AND r.submitted_on <= latest_due_on)
