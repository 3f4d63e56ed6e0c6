-- A table of a 附件2 filing as stored (file.ImportSummary): its unit,
-- date and file (or file[sheet]), whether it lists institutions or none,
-- with what reconcile checks in the table itself as it was read (its 合计
-- line, its rows with a USCC) and the digest of the file: reconcile never
-- reads the file again. The filing counts once finished
-- (imports/finish_filing).
INSERT INTO submission_tables (filing, unit_code, as_of, source_ref, recorded_at,
                               checked, check_error, file_path, file_digest, total_declared, total_line, listed_rows)
VALUES ({filing:String}, {unit:String}, {day:Date}, {ref:String}, now64(3),
        true, {check_error:String}, {path:String}, {digest:String}, {declared:UInt32}, {declared_line:UInt32}, {rows:String})
