-- The keys the batch gives more than once with different values (a
-- file's lines that disagree, in the contract's columns or the ones kept
-- as extra): each key as shown, its lines, and the columns in which they
-- differ. load's refuseConflicts rejects every one of those lines.
SELECT {{.KeyShown}}, arraySort(groupArray(source_line)) AS lines, arrayFilter(c -> c != '', [{{if .Differ}}{{.Differ}}, {{end}}if(uniqExact({{template "extra_hash"}}) > 1, 'extra', '')]) AS differ
FROM {{.Stage}}
GROUP BY {{.Key}}
HAVING uniqExact(row_hash, {{template "extra_hash"}}) > 1
ORDER BY min(source_line)
