-- A page of the rows for Go, in order from row {from}.
SELECT row, {{.Fields}} FROM {{.Odd}}
WHERE row >= {from:UInt64}
ORDER BY row
LIMIT {page:UInt64}
