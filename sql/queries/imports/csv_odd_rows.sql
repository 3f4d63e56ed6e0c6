SELECT row, {{.Fields}} FROM {{.Odd}} ORDER BY row
