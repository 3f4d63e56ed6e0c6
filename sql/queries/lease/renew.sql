-- Push a live claim's expiry forward; a lapsed claim is not revived.
INSERT INTO leases (name, token, owner, host, pid, claimed_at, expires_at, version)
SELECT name, token, owner, host, pid, claimed_at, now64(3) + toIntervalMillisecond({ttl_ms:UInt64}),
       greatest(version + 1, toUnixTimestamp64Nano(now64(9)))
FROM leases FINAL
WHERE name = {name:String} AND token = {token:String} AND expires_at > now64(3)
