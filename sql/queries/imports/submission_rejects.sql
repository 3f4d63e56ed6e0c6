-- The rows of a submitted 附件2 sheet ({ref}: the file, or file[sheet])
-- that the import of filing {filing} rejected, one row per row and field
-- error, with the USCC the row carried: reconcile reports them as
-- rejected, not as institutions the county left out. raw is the row's
-- cells in the file's column order; the USCC is the cell shaped like one
-- (GB 32100-2015 character set), '' when none is; without one, reconcile
-- looks in raw for a code stored as a number or a name.
--
-- A table with rejected rows is now refused whole (file.ImportSummary), so
-- only filings stored before that have any. The batch is the latest of the
-- ref started before the filing's table was recorded: a table refused
-- later, from the same path, leaves its batch and rejects behind, and they
-- are not the filed table's.
SELECT line, column, value, reason,
       arrayFirst(x -> match(upper(trimBoth(x)), '^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$'),
                  JSONExtract(raw, 'Array(String)')) AS uscc,
       raw
FROM import_rejects
WHERE list = 'submissions' AND source_ref = {ref:String}
  AND batch_id = (SELECT argMax(batch_id, started_at) FROM import_batches
                  WHERE list = 'submissions' AND source_ref = {ref:String}
                    AND started_at <= (SELECT max(recorded_at) FROM submission_tables FINAL
                                       WHERE filing = {filing:String} AND source_ref = {ref:String}))
ORDER BY line, column
