package load

// SetRowsPerPart makes change detection use parts of n rows, so tests
// need not load 250,000 rows to span several; it returns the undo.
func SetRowsPerPart(n int) func() {
	old := rowsPerPart
	rowsPerPart = n
	return func() { rowsPerPart = old }
}
