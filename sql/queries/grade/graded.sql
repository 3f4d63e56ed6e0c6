-- Institutions graded at {as_of} (docs/rules.md §2): licensed on or before it
-- and not cancelled on or before it. A revoked licence stays graded (it is
-- clause D3). A status without its date (the contract rejects such rows)
-- is taken to apply at every date rather than guessed.
--
-- {only} = '' selects everyone, else one USCC. The clause queries cover
-- the whole register; only this query decides who is graded.
SELECT uscc, name, county_code
FROM institutions FINAL
WHERE licensed_on <= {as_of:Date}
  AND NOT (license_status = 'cancelled' AND ifNull(license_status_on <= {as_of:Date}, true))
  AND ({only:String} = '' OR uscc = {only:String})
ORDER BY uscc
