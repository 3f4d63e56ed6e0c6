-- The fast import reads a CSV file once, into this table of nothing: its
-- two views send each record to the stage (canonical) or to the table
-- of rows for Go (the others). It has the stage's columns, row_hash's
-- default included, and the file's fields (csv_add_input_fields), so that
-- the statement reading the file computes every stored value and the
-- hash before the views run: the views then only pass rows on, and the
-- stage's writer (sort, compress, write) is not also the one computing.
-- Named like a stage table, so a crashed import's is swept with it.
CREATE TABLE {{.Input}} AS {{.Stage}} ENGINE = Null
