-- The 附件2 filings to reconcile, one row per unit and date with the
-- tables (files, or file[sheet]) the filing holds, in the order they were
-- stored: of one unit ({unit} = '' for every unit), with the grades of
-- one date, or each unit's latest date when {latest} is true. A unit's
-- table for a date is its latest finished filing (submission_filings; a
-- filing a dead process left half-written never counts), whether it
-- lists institutions or none: a corrected table filed again replaces the
-- earlier one whole, an empty one too. Its rows are read apart
-- (imports/submitted_grades). Rows filed before filings were recorded
-- have filing ''.
WITH finished AS (
    SELECT unit_code, as_of, filing, source_ref, recorded_at FROM submission_tables FINAL
    WHERE filing = '' OR filing IN (SELECT filing FROM submission_filings)
)
SELECT unit_code, as_of, filing, groupArray(source_ref) AS refs
FROM (SELECT * FROM finished ORDER BY recorded_at, source_ref)
WHERE ({unit:String} = '' OR unit_code = {unit:String})
  AND (unit_code, as_of, filing) IN (SELECT unit_code, as_of, max(filing) FROM finished GROUP BY unit_code, as_of)
  AND (
    ({latest:Bool} AND (unit_code, as_of) IN (SELECT unit_code, max(as_of) FROM finished GROUP BY unit_code))
    OR (NOT {latest:Bool} AND as_of = {day:Date})
  )
GROUP BY unit_code, as_of, filing
ORDER BY unit_code, as_of
