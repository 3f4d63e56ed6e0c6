-- Takes the lines of the keys given twice with different values
-- (stage_conflicts) out of the stage: rejected, they are not the batch's.
ALTER TABLE {{.Stage}} DELETE WHERE source_line IN {lines:Array(Int64)} SETTINGS mutations_sync = 2
