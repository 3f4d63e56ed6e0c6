-- The live claims of a lease, oldest first.
SELECT token, owner, host, pid, claimed_at, expires_at
FROM leases FINAL
WHERE name = {name:String} AND expires_at > now64(3)
ORDER BY claimed_at, token
