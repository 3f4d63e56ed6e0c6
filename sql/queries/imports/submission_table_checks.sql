-- What the import recorded of each table of a 附件2 filing for reconcile's
-- checks of the table itself (imports/record_submission_table): its 合计
-- line, its rows with a USCC as JSON, the file and its digest as filed.
-- checked is false for a table filed before they were recorded.
SELECT source_ref, checked, check_error, file_path, file_digest, total_declared, total_line, listed_rows
FROM submission_tables FINAL
WHERE filing = {filing:String} AND unit_code = {unit:String} AND as_of = {day:Date}
ORDER BY source_ref
