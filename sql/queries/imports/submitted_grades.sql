-- The rows of one filing of a unit's 附件2 for a date, to reconcile
-- (the filing imports/submitted_filings chose): the grade and the
-- 是否选树为诚信机构典型 each institution was given. None for a table
-- filed empty.
SELECT uscc, name, grade, exemplary
FROM submissions FINAL
WHERE unit_code = {unit:String} AND as_of = {day:Date} AND filing = {filing:String}
ORDER BY uscc
