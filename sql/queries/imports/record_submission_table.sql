-- A table of a 附件2 filing as stored (file.ImportSummary): its unit,
-- date and file (or file[sheet]), whether it lists institutions or none.
-- The filing counts once finished (imports/finish_filing).
INSERT INTO submission_tables (filing, unit_code, as_of, source_ref, recorded_at)
VALUES ({filing:String}, {unit:String}, {day:Date}, {ref:String}, now64(3))
