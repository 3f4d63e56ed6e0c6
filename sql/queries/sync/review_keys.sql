SELECT record_key FROM review_queue FINAL WHERE list = {list:String}
