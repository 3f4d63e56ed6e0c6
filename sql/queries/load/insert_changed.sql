-- One part of the change detection: its new or changed rows go to the
-- ready table, never straight to the list (see move_ready).
INSERT INTO {{.Ready}} ({{.Columns}}) {{.Changed}}
