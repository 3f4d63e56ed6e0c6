-- Which of the given USCCs the register holds.
SELECT uscc
FROM institutions FINAL
WHERE uscc IN {usccs:Array(String)}
