-- One institution as the register holds it now: its name, county and
-- licence dates, to answer for an institution no grade shows on a day
-- (not yet evaluated, or its licence cancelled).
SELECT name, county_code, licensed_on, license_status, license_status_on
FROM institutions FINAL
WHERE uscc = {uscc:String}
