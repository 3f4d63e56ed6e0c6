-- A new claim, timed by the engine's clock.
INSERT INTO leases (name, token, owner, host, pid, claimed_at, expires_at, version)
SELECT {name:String}, {token:String}, {owner:String}, {host:String}, {pid:UInt32}, now64(3),
       now64(3) + toIntervalMillisecond({ttl_ms:UInt64}), toUnixTimestamp64Nano(now64(9))
