-- Whether a batch's rows reached a list: the attach moves all of them or
-- none (see load.FinishLeftovers).
SELECT count() > 0 FROM {{.Table}} WHERE batch_id = {batch_id:String}
