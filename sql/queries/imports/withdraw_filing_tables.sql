-- Withdraw the tables recorded for a 附件2 filing whose command failed
-- part way, with its rows (imports/withdraw_filing): an empty table of it
-- must not stand for the unit's filing either.
DELETE FROM submission_tables WHERE filing = {filing:String}
