package chhttp

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/xuchang-hrss/creditsync/store"
)

// tableFunctions a query may read from: they generate values and touch
// no data. Others (file, url, s3, remote, merge, …) would reach outside
// what a token is meant to see.
var tableFunctions = map[string]bool{"numbers": true, "numbers_mt": true, "zeros": true, "zeros_mt": true, "one": true, "generateSeries": true, "generate_series": true, "values": true}

// systemTables a county token may read: they describe the engine, not
// the data, and drivers read them when they connect (clickhouse-connect
// reads system.settings, Grafana system.functions).
var systemTables = map[string]bool{"settings": true, "functions": true, "formats": true, "data_type_families": true,
	"table_functions": true, "time_zones": true, "build_options": true, "one": true, "collations": true,
	"table_engines": true, "aggregate_function_combinators": true, "keywords": true}

// forbiddenFunctions read data by name from outside the query's tables.
var forbiddenFunctions = []string{"file", "dictGet", "dictHas", "joinGet", "getSetting", "filesystem"}

// checkScoped parses the query with the engine (EXPLAIN AST, which reads
// nothing) and lets a county token run it only if it is a SELECT whose
// tables are in its scoped database: no name qualified with another
// database, no table function but value generators, no function reading
// files or dictionaries. Unqualified names resolve in the scoped database,
// whose views hold the county's rows only.
func (h *Handler) checkScoped(ctx context.Context, db, query string, params store.Params) error {
	bare := formatClause.ReplaceAllString(query, "")
	var ast bytes.Buffer
	err := store.QueryFormatted(ctx, h.opt.Store, &ast, "EXPLAIN AST "+bare, store.FormatOptions{Format: "TSVRaw", Database: db, Params: params})
	if err != nil {
		return err
	}
	others, err := h.otherDatabases(ctx, db)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimRight(ast.String(), "\n"), "\n")
	root, _, _ := strings.Cut(lines[0], " ")
	switch root {
	case "SelectWithUnionQuery", "SelectIntersectExceptQuery", "DescribeQuery":
	case "ShowTables":
		// Of its own database only: SHOW TABLES FROM x names x as a plain
		// identifier.
		for _, l := range lines[1:] {
			if strings.HasPrefix(strings.TrimSpace(l), "Identifier ") {
				return errDenied("a county token may list the tables of its own database only")
			}
		}
	default:
		return errDenied("a county token may run SELECT, DESCRIBE and SHOW TABLES only")
	}
	for i, line := range lines {
		node := strings.TrimSpace(line)
		kind, rest, _ := strings.Cut(node, " ")
		name, _, _ := strings.Cut(rest, " ")
		switch kind {
		case "Identifier", "TableIdentifier":
			first, table, qualified := strings.Cut(name, ".")
			first = strings.ToLower(strings.Trim(first, "`"))
			if qualified && first == "system" && systemTables[strings.Trim(table, "`")] {
				continue
			}
			if qualified && others[first] {
				return errDenied(fmt.Sprintf("%s is outside what a county token sees; it may read the views of its database %s only", name, db))
			}
		case "Function":
			if i > 0 && strings.HasPrefix(strings.TrimSpace(lines[i-1]), "TableExpression") && !tableFunctions[name] {
				return errDenied(fmt.Sprintf("table function %s is not available to a county token", name))
			}
			for _, f := range forbiddenFunctions {
				if strings.HasPrefix(name, f) {
					return errDenied(fmt.Sprintf("function %s is not available to a county token", name))
				}
			}
		}
	}
	return nil
}

// otherDatabases lists (lower-cased) every database but db.
func (h *Handler) otherDatabases(ctx context.Context, db string) (map[string]bool, error) {
	rows, err := h.opt.Store.Query(ctx, "SELECT lower(name) FROM system.databases", nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{"system": true, "information_schema": true}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	delete(out, strings.ToLower(db))
	return out, rows.Err()
}
