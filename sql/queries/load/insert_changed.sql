INSERT INTO {{.Table}} ({{.Columns}}) {{.Changed}}
