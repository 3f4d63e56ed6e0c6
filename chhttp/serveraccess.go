package chhttp

// Access on a ClickHouse server: the users, views and grants that give each
// token there what the endpoint gives it here (creditsync access).

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/sqlaccess"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// ServerUser is a token as a ClickHouse server user: its name, the
// SHA-256 of its secret (the secret itself is never written), and the
// county it reads ("" for the city, which reads every county).
type ServerUser struct {
	Name, SHA256, County string
}

// AnalystProfile is the settings profile of the tokens' users on a server.
const AnalystProfile = "creditsync_analyst"

// ServerAccess returns the statements that give each user, on the server
// s, the access this package's endpoint gives its token: a read-only
// profile; a county user reads only the database of views of its county
// (ScopeStatements, read as their definer) and the engine's own system
// tables; the city user reads everything.
func ServerAccess(ctx context.Context, s store.Store, users []ServerUser) ([]string, error) {
	onCluster := ""
	if c := s.Cluster(); c != "" {
		onCluster = "ON CLUSTER " + quoteIdent(c)
	}
	// CREATE USER OR REPLACE would replace, without a word, a server user
	// named as a token: the daemon's own (its DSN's, as the server names
	// it) or ClickHouse's default.
	own, err := currentUser(ctx, s)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		switch u.Name {
		case own:
			return nil, fmt.Errorf("access: token %q ([[serve.tokens]] name) is named as the server user creditsync connects as: its CREATE USER OR REPLACE would replace that user; rename the token", u.Name)
		case "default":
			return nil, fmt.Errorf("access: token %q ([[serve.tokens]] name) is named as ClickHouse's default user: its CREATE USER OR REPLACE would replace that user; rename the token", u.Name)
		}
	}
	main := s.Database()
	changeable, err := changeableInReadonly(ctx, s)
	if err != nil {
		return nil, err
	}
	stmts := []string{joinWords("CREATE SETTINGS PROFILE OR REPLACE", AnalystProfile, onCluster,
		// Read-only (readonly = 1 refuses every setting a client sends,
		// Grafana's max_execution_time and a URL's limit too) but for
		// exactly what the endpoint lets a token change, within its caps.
		"SETTINGS readonly = 1 CONST,", changeable+",",
		// As the endpoint's: one query takes at most 4 GiB, a user runs at
		// most four at once, and every query waits while one of the
		// daemon's (priority 1, store/server) runs.
		"max_memory_usage = 4294967296 MAX 4294967296, max_concurrent_queries_for_user = 4 CONST, priority = 2 CONST,",
		// Tables whose rows are replaced read merged, as the daemon's own
		// sessions read them (store/server): a key once, and count()
		// counting merged rows, not those of the parts' metadata.
		"final = 1 CONST, optimize_trivial_count_query = 0 CONST,",
		// No vectorscan: its compile of many patterns runs for minutes past
		// every limit and KILL, as on the endpoint (sqlaccess.SessionSettings).
		"allow_hyperscan = 0 CONST")}
	databases := map[string]string{}
	for _, c := range transform.XuchangCounties() {
		db, views, err := ScopeStatements(ctx, s, c.Code, onCluster, "DEFINER = CURRENT_USER SQL SECURITY DEFINER")
		if err != nil {
			return nil, err
		}
		databases[c.Code] = db
		for _, u := range users {
			if u.County == c.Code {
				stmts = append(stmts, views...)
				break
			}
		}
	}
	for _, u := range users {
		user := quoteIdent(u.Name)
		stmts = append(stmts, joinWords("CREATE USER OR REPLACE", user, onCluster, "IDENTIFIED WITH sha256_hash BY", quoteString(u.SHA256)))
		var grants []string
		if u.County == "" {
			grants = append(grants, main+".*", "system.*")
			for _, c := range transform.XuchangCounties() {
				grants = append(grants, databases[c.Code]+".*")
			}
		} else {
			db, ok := databases[u.County]
			if !ok {
				return nil, fmt.Errorf("access: token %s: no database for county %s", u.Name, u.County)
			}
			grants = append(grants, db+".*")
			for _, st := range sqlaccess.EngineSystemTables {
				grants = append(grants, "system."+st)
			}
			// A server shows a user only the databases, tables and
			// columns it has grants on, as the endpoint's CatalogFilter.
			for _, st := range sqlaccess.CatalogTables() {
				grants = append(grants, "system."+st)
			}
		}
		stmts = append(stmts, joinWords("GRANT", onCluster, "SELECT ON", grants[0], "TO", user))
		for _, g := range grants[1:] {
			stmts = append(stmts, joinWords("GRANT", onCluster, "SELECT ON", g, "TO", user))
		}
		def := main
		if u.County != "" {
			def = databases[u.County]
		}
		stmts = append(stmts, joinWords("ALTER USER", user, onCluster, "DEFAULT DATABASE", def, "SETTINGS PROFILE", quoteString(AnalystProfile)))
	}
	return stmts, nil
}

// ServerCaps are the caps of the analysts' profile on a server: those of
// the daemon's endpoint by default (creditsync server's flags).
var ServerCaps = store.FormatOptions{MaxExecutionTime: 600 * time.Second, MaxResultBytes: 1 << 30, MaxMemoryUsage: 4 << 30}

// changeableInReadonly lists, for the profile, every setting of the
// server that the endpoint lets a token change (sqlaccess.Changeable
// under ServerCaps), CHANGEABLE_IN_READONLY within its bounds.
func changeableInReadonly(ctx context.Context, s store.Store) (string, error) {
	rows, err := s.Query(ctx, "SELECT name FROM system.settings", nil)
	if err != nil {
		return "", fmt.Errorf("access: list the server's settings: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", fmt.Errorf("access: list the server's settings: %w", err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("access: list the server's settings: %w", err)
	}
	var parts []string
	for _, b := range sqlaccess.Changeable(names, ServerCaps) {
		if b.Capped {
			// The cap is the default too, as the endpoint sets it.
			max := strconv.FormatFloat(b.Max, 'f', -1, 64)
			parts = append(parts, fmt.Sprintf("%s = %s MIN %s MAX %s CHANGEABLE_IN_READONLY", b.Name, max, strconv.FormatFloat(b.Min, 'f', -1, 64), max))
		} else {
			parts = append(parts, b.Name+" CHANGEABLE_IN_READONLY")
		}
	}
	return strings.Join(parts, ", "), nil
}

// currentUser is the user s runs as, as the engine names it.
func currentUser(ctx context.Context, s store.Store) (string, error) {
	rows, err := s.Query(ctx, "SELECT currentUser()", nil)
	if err != nil {
		return "", fmt.Errorf("access: the server user creditsync connects as: %w", err)
	}
	defer rows.Close()
	var name string
	for rows.Next() {
		if err := rows.Scan(&name); err != nil {
			return "", fmt.Errorf("access: the server user creditsync connects as: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("access: the server user creditsync connects as: %w", err)
	}
	return name, nil
}

// Parses has the engine parse q (bound as a parameter: it runs nothing).
func Parses(ctx context.Context, s store.Store, q string) error {
	if _, ok := s.(store.Formatter); !ok {
		return nil // a server parses it when it runs
	}
	var out bytes.Buffer
	return store.QueryFormatted(ctx, s, &out, "SELECT formatQuery({q:String})", store.FormatOptions{Format: "TSV", Params: store.Params{"q": q}})
}

func joinWords(words ...string) string {
	var kept []string
	for _, w := range words {
		if w != "" {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
