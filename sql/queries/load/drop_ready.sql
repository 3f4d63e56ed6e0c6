-- No SYNC, as for the stage table.
DROP TABLE IF EXISTS {{.Ready}}
