-- Each list of the contract: records held, and when a batch last loaded
-- into it.
WITH batches AS (
    SELECT list, max(finished_at) AS last_load, argMax(source_ref, finished_at) AS last_ref,
           sum(rows_rejected) AS rejected_total
    FROM import_batches
    GROUP BY list
)
SELECT l.list, l.records, b.last_load, b.last_ref, b.rejected_total
FROM (
{{- range $i, $l := allLists}}
    {{if $i}}UNION ALL {{end}}SELECT '{{$l.Name}}' AS list, count() AS records, {{$i}} AS o FROM {{$l.Name}}
{{- end}}
) AS l
LEFT JOIN batches AS b ON b.list = l.list
ORDER BY l.o
