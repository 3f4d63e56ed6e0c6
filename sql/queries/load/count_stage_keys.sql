SELECT count(), uniqExact({{.Key}}) FROM {{.Stage}}
