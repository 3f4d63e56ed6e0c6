-- Clauses that follow from the register alone: D3 (licence revoked), C4
-- (lost contact for {c4_months} months or more) and the first half of B1
-- (no commitment signed by {as_of}). One row per clause and institution,
-- with the register's own date as evidence.
--
-- Like every clause query this covers the whole register ({only} = '') or
-- one USCC; whether an institution is graded at all is decided by
-- grade/graded alone, and the caller drops the others.
WITH registered AS (
    SELECT * FROM institutions FINAL
    WHERE {only:String} = '' OR uscc = {only:String}
)
SELECT uscc, ['D3'] AS clauses, 'institution' AS kind, uscc AS id, license_status_on AS date,
       'licence revoked (吊销)' AS detail
FROM registered
WHERE license_status = 'revoked' AND ifNull(license_status_on <= {as_of:Date}, true)

UNION ALL

SELECT uscc, ['C4'], 'institution', uscc, lost_contact_since,
       concat('lost contact since ', toString(lost_contact_since))
FROM registered
WHERE lost_contact_since <= subtractMonths({as_of:Date}, {c4_months:Int32})

UNION ALL

-- A commitment signed after {as_of} is, like every fact dated after it,
-- not known on {as_of}: the evidence is the same as for none, and names no
-- later date (a table of grades on {as_of} must not tell the future).
SELECT uscc, ['B1'], 'institution', uscc, CAST(NULL AS Nullable(Date)),
       'no signed credit commitment on file'
FROM registered
WHERE commitment_signed_on IS NULL OR commitment_signed_on > {as_of:Date}
