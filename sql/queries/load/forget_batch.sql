-- Withdraw a batch's record when its rows could not be moved (the move is
-- one part, so none of them are visible); a 'failed' record replaces it.
DELETE FROM import_batches WHERE batch_id = {batch_id:String}
