package sql

// RenderMigrationText renders text as a migration is rendered, with the
// blocks of migrations/_*.sql, for the tests of those blocks.
func RenderMigrationText(t Target, text string) (string, error) {
	partials, err := partialsOf("migrations")
	if err != nil {
		return "", err
	}
	return t.renderWith("test", text, nil, partials)
}
