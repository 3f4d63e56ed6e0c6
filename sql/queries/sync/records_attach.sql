-- Makes a snapshot's staged rows of external_records part of it, all at
-- once (see records_stage).
ALTER TABLE external_records ATTACH PARTITION tuple() FROM {{.Stage}}
