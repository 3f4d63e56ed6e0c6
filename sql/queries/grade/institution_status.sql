-- One institution's licence dates, to say why it is not graded at a date.
SELECT licensed_on, license_status, license_status_on
FROM institutions FINAL
WHERE uscc = {uscc:String}
