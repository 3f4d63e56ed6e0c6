-- End claims: one (token given) or every live claim of the name (token
-- empty: `init --unlock`). A released claim expires when it was made.
INSERT INTO leases (name, token, owner, host, pid, claimed_at, expires_at, version)
SELECT name, token, owner, host, pid, claimed_at, claimed_at, greatest(version + 1, toUnixTimestamp64Nano(now64(9)))
FROM leases FINAL
WHERE name = {name:String} AND ({token:String} = '' OR token = {token:String}) AND expires_at > now64(3)
