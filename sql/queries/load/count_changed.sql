SELECT count() FROM ({{.Changed}})
