-- The filing a new 附件2 table of a unit and date replaces: the unit's
-- latest finished filing for the date other than the new one ({filing}),
-- as imports/submitted_filings picks it, with its tables (files, or
-- file[sheet]) in the order they were stored and when it was stored.
-- No row when the unit had none for the date. The import names it: a
-- table filed under a stale 填报时间 replaces that date's real filing.
WITH finished AS (
    SELECT filing, source_ref, recorded_at FROM submission_tables FINAL
    WHERE unit_code = {unit:String} AND as_of = {day:Date} AND filing != {filing:String}
      AND (filing = '' OR filing IN (SELECT filing FROM submission_filings))
)
SELECT filing, groupArray(source_ref) AS refs, formatDateTime(max(recorded_at), '%Y-%m-%d %H:%i:%S') AS at
FROM (SELECT * FROM finished ORDER BY recorded_at, source_ref)
WHERE filing = (SELECT max(filing) FROM finished)
GROUP BY filing
