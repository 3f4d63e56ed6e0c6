-- Each list of the contract: records held, and when a batch last loaded
-- into it; NULL (shown empty) for a list no batch has loaded.
WITH batches AS (
    SELECT list, max(finished_at) AS last_load, argMax(source_ref, finished_at) AS last_ref,
           sum(rows_rejected) AS rejected_total
    FROM import_batches
    GROUP BY list
)
SELECT l.list, l.records,
       -- A LEFT JOIN fills a list without a batch with defaults: 1970-01-01
       -- and 0 read as a load and a count.
       if(b.list = '', NULL, b.last_load) AS last_load,
       if(b.list = '', NULL, b.last_ref) AS last_ref,
       if(b.list = '', NULL, b.rejected_total) AS rejected_total
FROM (
{{- range $i, $l := allLists}}
    {{if $i}}UNION ALL {{end}}SELECT '{{$l.Name}}' AS list, count() AS records, {{$i}} AS o FROM {{$l.Name}}
{{- end}}
) AS l
LEFT JOIN batches AS b ON b.list = l.list
ORDER BY l.o
