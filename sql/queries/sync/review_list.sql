-- The review queue, checked against the register as it is now: an item
-- whose name has since come to match exactly one institution is done.
WITH matches AS (
    SELECT name_key, groupArray(uscc) AS usccs
    FROM institutions FINAL
    WHERE name_key IN (SELECT name_key FROM review_queue)
    GROUP BY name_key
)
SELECT q.list, q.source, q.name, q.record_key, q.queued_at, length(m.usccs) AS matches, m.usccs AS candidates
FROM review_queue AS q FINAL
LEFT JOIN matches AS m ON m.name_key = q.name_key
WHERE length(m.usccs) != 1 AND (q.list = {list:String} OR {list:String} = '')
ORDER BY q.list, q.name, q.record_key
