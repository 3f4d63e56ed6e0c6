-- Institutions licensed on {day} whose licence has not ended and that
-- have no commitment (诚信承诺书) signed on or before it: those clause B1
-- finds without a commitment, for the pre-filled 附件1. A revoked licence
-- is left out too: the institution still has its D (D3), but no longer
-- operates, so there is nothing for it to pledge.
SELECT uscc, name, county_code
FROM institutions FINAL
WHERE licensed_on <= {day:Date}
  AND NOT (license_status IN ('cancelled', 'revoked') AND license_status_on <= {day:Date})
  AND (commitment_signed_on IS NULL OR commitment_signed_on > {day:Date})
ORDER BY uscc
