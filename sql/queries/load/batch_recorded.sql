-- Whether a batch was recorded: its record is the load's last step, so a
-- recorded batch is whole (see load.FinishLeftovers).
SELECT count() > 0 FROM import_batches WHERE batch_id = {batch_id:String}
