-- The records waiting for a person: every external record without a
-- USCC whose name matches no institution of the register as it is now,
-- or several — however it was stored (a sync or an import: both read the
-- same lists, v_list_records). An item whose name has come to match
-- exactly one institution is done. queued_at is when a sync first
-- queued it (review_queue), else when the record was stored.
WITH matches AS (
    SELECT name_key, groupArray(uscc) AS usccs
    FROM institutions FINAL
    WHERE name_key != ''
    GROUP BY name_key
)
SELECT r.list, r.source, r.listed_name, r.record_key,
       if(q.record_key != '', q.queued_at, r.loaded_at) AS queued_at,
       length(m.usccs) AS matches, m.usccs AS candidates
FROM v_list_records AS r
LEFT JOIN matches AS m ON m.name_key = r.name_key
LEFT JOIN (SELECT list, record_key, queued_at FROM review_queue FINAL) AS q
    ON q.list = r.list AND q.record_key = r.record_key
WHERE r.listed_uscc IS NULL AND r.name_key != '' AND length(m.usccs) != 1
  AND (r.list = {list:String} OR {list:String} = '')
ORDER BY r.list, r.listed_name, r.record_key
