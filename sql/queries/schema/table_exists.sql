SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = {table:String}
