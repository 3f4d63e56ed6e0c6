{{define "concerns"}}(uscc IN (SELECT uscc FROM {{.Register}})
   OR (uscc = '' AND name_key != '' AND name_key IN (SELECT name_key FROM {{.Register}}))){{end}}
