-- The staged rows dated after {today} (Xuchang's day of the load) in a
-- column of something that has happened ({{.Dates}}: pairs of the
-- column's heading and its day): the first five by line, each with how
-- many rows have such a day in all.
SELECT source_line, d.1 AS heading, toString(d.2) AS day, uniqExact(source_line) OVER () AS rows
FROM {{.Stage}}
ARRAY JOIN arrayFilter(x -> x.2 > {today:Date32}, {{.Dates}}) AS d
ORDER BY source_line, heading
LIMIT 5
