-- A batch's rows reach the list's table by attaching the parts of a work
-- table ({{.From}}: the stage of a first load, else the ready table of
-- new or changed rows). The list has one partition, and attaching it is
-- one transaction: a reader sees all of the batch or none of it, and a
-- failure leaves none of it. The parts are linked, not copied, so a batch
-- of any size costs no memory here.
ALTER TABLE {{.Table}} ATTACH PARTITION tuple() FROM {{.From}}
