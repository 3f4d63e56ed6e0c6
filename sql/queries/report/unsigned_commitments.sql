-- Institutions licensed on {day} whose licence has not ended, and whether
-- each has a commitment (诚信承诺书) signed on or before it: those without
-- are the ones clause B1 finds, for the pre-filled 附件1. A revoked licence
-- is left out too: the institution still has its D (D3), but no longer
-- operates, so there is nothing for it to pledge.
SELECT uscc, name, county_code,
       ifNull(commitment_signed_on <= {day:Date}, false) AS signed
FROM institutions FINAL
WHERE licensed_on <= {day:Date}
  AND NOT (license_status IN ('cancelled', 'revoked') AND license_status_on <= {day:Date})
ORDER BY uscc
