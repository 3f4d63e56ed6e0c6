-- Contradictions in the bureau's own data (docs/rules.md §4): an
-- inspection or penalty record dated on or before {day} whose text says
-- the licence was revoked (吊销…许可, not 拟吊销 or 未吊销) while the
-- register shows the licence valid (有效). Neither is taken as right: the
-- grade follows the register (no D3), and both records are named for a
-- person to check. One row a record, the register's row beside it.
WITH said AS (
    SELECT uscc, 'inspections' AS list, record_id, handled_on AS on,
           concat(measure, if(measure != '' AND description != '', '；', ''), description) AS text, authority
    FROM inspections FINAL
    WHERE handled_on <= {day:Date}
    UNION ALL
    SELECT uscc, 'penalties' AS list, record_id, decided_on AS on, content AS text, authority
    FROM penalties FINAL
    WHERE decided_on <= {day:Date} AND uscc != ''
)
SELECT i.uscc, i.name, i.county_code, toString(i.license_status) AS license_status, i.license_no,
       s.list, s.record_id, s.on, s.text, s.authority
FROM said AS s
INNER JOIN institutions AS i FINAL ON i.uscc = s.uscc
WHERE i.license_status = 'valid'
  AND match(s.text, '(^|[^拟未不])吊销[^，。；;,]*许可')
ORDER BY i.county_code, i.uscc, s.on, s.record_id
