-- The grades counties submitted in their 附件2 tables, to reconcile: of
-- one unit ({unit} = '' for every unit), with the grades of one date, or
-- each unit's latest submission when {latest} is true. A unit's table
-- for a date is its latest filing: a corrected table filed again replaces
-- the earlier one whole, and an institution it no longer lists is not
-- submitted (rows filed before filings were recorded have filing ''). A
-- filing counts once its command finished (submission_filings): one a
-- dead process left half-written does not replace the unit's table.
SELECT unit_code, as_of, uscc, name, grade, source_ref
FROM submissions FINAL
WHERE ({unit:String} = '' OR unit_code = {unit:String})
  AND (unit_code, as_of, filing) IN (
    SELECT unit_code, as_of, max(filing) FROM submissions FINAL
    WHERE filing = '' OR filing IN (SELECT filing FROM submission_filings)
    GROUP BY unit_code, as_of)
  AND (
    ({latest:Bool} AND (unit_code, as_of) IN (
        SELECT unit_code, max(as_of) FROM submissions FINAL GROUP BY unit_code))
    OR (NOT {latest:Bool} AND as_of = {day:Date})
  )
ORDER BY unit_code, as_of, uscc
