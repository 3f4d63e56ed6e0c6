-- A filing of a 附件2 whose command finished: every file of it read and
-- stored. Only such filings count (imports/submitted_grades): one a dead
-- process left half-written never replaces the unit's table.
INSERT INTO submission_filings (filing, finished_at) VALUES ({filing:String}, now64(3))
