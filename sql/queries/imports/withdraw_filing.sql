-- Withdraw a 附件2 filing whose command failed part way: the files of one
-- command are one filing, and a filing replaces the unit's earlier table
-- whole, so the files stored before the one that failed would replace a
-- complete table with part of one (file.WithdrawFiling).
DELETE FROM submissions WHERE filing = {filing:String}
