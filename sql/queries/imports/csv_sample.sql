-- How many of the first records of a CSV file, read in Go and given as
-- an array of arrays of their fields, are canonical.
SELECT countIf({{.Canonical}})
FROM (SELECT {{.Columns}} FROM (SELECT arrayJoin({{.Sample}}) AS r))
