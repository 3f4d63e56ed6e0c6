package sql

import (
	"path"
	"regexp"
)

// RenderMigrationText renders text as a migration is rendered, with the
// blocks of migrations/_*.sql, for the tests of those blocks.
func RenderMigrationText(t Target, text string) (string, error) {
	partials, err := partialsOf("migrations")
	if err != nil {
		return "", err
	}
	return t.renderWith("test", text, nil, partials)
}

// rangedField finds a field a template ranges over ({{- range .SharedBy}}):
// its stand-in must be a list.
var rangedField = regexp.MustCompile(`\{\{-?\s*range\s+\.([A-Z]\w*)`)

// StandIns gives a query's templated identifiers stand-in values, for the
// tests that render every query; the packages that render them with real
// values run the result on the engine.
func StandIns(name string) (map[string]any, error) {
	keys, err := QueryFields(name)
	if err != nil {
		return nil, err
	}
	raw, err := files.ReadFile(path.Join("queries", name+".sql"))
	if err != nil {
		return nil, err
	}
	data := map[string]any{}
	for _, k := range keys {
		data[k] = "x_" + k
	}
	for _, m := range rangedField.FindAllStringSubmatch(string(raw), -1) {
		data[m[1]] = []string{"x_" + m[1]}
	}
	for k, v := range map[string]string{
		"Changed":   "SELECT * FROM x_Changed", // load/insert_changed inserts a query's rows
		"Typed":     "x_c1 String",             // imports/csv_*: the file's fields, typed
		"AddFields": "ADD COLUMN x_c1 String",  // imports/csv_add_input_fields
	} {
		if _, ok := data[k]; ok {
			data[k] = v
		}
	}
	return data, nil
}
