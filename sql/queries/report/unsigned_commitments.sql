-- Institutions licensed on {day} whose licence has not ended and that
-- have no commitment (诚信承诺书) signed on or before it: those clause B1
-- finds without a commitment, for the pre-filled 附件1.
SELECT uscc, name, county_code, license_no
FROM institutions FINAL
WHERE licensed_on <= {day:Date}
  AND NOT (license_status IN ('cancelled', 'revoked') AND license_status_on <= {day:Date})
  AND (commitment_signed_on IS NULL OR commitment_signed_on > {day:Date})
ORDER BY uscc
