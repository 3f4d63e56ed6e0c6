-- The county of each of {usccs} the register lists, to tell whether a
-- 附件2's institutions belong to the unit that filed it. An institution
-- the register does not list is not returned: its county is not known.
SELECT uscc, county_code
FROM institutions FINAL
WHERE uscc IN {usccs:Array(String)}
