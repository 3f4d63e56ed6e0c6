package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/chhttp"
	"github.com/xuchang-hrss/creditsync/serve"
	"github.com/xuchang-hrss/creditsync/sqlaccess"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// analystProfile is the settings profile of the tokens' users on a server.
const analystProfile = "creditsync_analyst"

func (a *app) accessCmd() *cobra.Command {
	var apply bool
	cmd := &cobra.Command{
		Use:   "access",
		Short: "Give the [serve] tokens the same access on a ClickHouse server: users, views, grants",
		Long: `access writes the SQL that gives every token of the [serve] section, on a
ClickHouse server, the access the daemon's SQL endpoint gives it: one
ClickHouse user per token, named as the token and identified by the
token's SHA-256 (the token itself is never written), in a read-only
settings profile; a county token's user reads only the database of views
of its county (each county's rows, the shared reference tables,
v_grades_on), which the views read as their definer; the city token's
user reads the whole database and the counties' databases.

Without --apply the statements are printed, each checked first by the
engine's parser; with --apply on a server (--clickhouse) they are run
there, ON CLUSTER when a cluster is configured. The server should set
access_control_improvements.select_from_system_db_requires_grant = true,
so that the county users read no system table but those granted here
(they describe the engine, not the data). The output holds the tokens'
hashes: keep it like the configuration file.`,
		Example: `  creditsync access > access.sql
  creditsync --clickhouse clickhouse://admin:…@ch1:9000/creditsync --cluster bureau access --apply`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadServeConfig()
			if err != nil {
				return err
			}
			verifier, err := cfg.NewVerifier(os.Getenv)
			if err != nil {
				return err
			}
			if apply && a.dsn == "" {
				return usageError{errors.New("access --apply runs on a ClickHouse server (--clickhouse); the embedded engine enforces the same rules in the daemon's SQL endpoint")}
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			stmts, err := accessStatements(ctx, s, verifier.Tokens())
			if err != nil {
				return err
			}
			for _, q := range stmts {
				if err := parses(ctx, s, q); err != nil {
					return fmt.Errorf("access: a statement the engine does not parse (a bug; nothing was run): %w\n%s", err, q)
				}
			}
			if !apply {
				fmt.Fprintln(a.stdout, "-- creditsync access: the [serve] tokens' access on a ClickHouse server (docs/security.md).")
				fmt.Fprintln(a.stdout, "-- Holds the tokens' SHA-256 hashes: keep it like the configuration file.")
				for _, q := range stmts {
					fmt.Fprintln(a.stdout, q+";")
				}
				return nil
			}
			for _, q := range stmts {
				if err := s.Exec(ctx, q, nil); err != nil {
					return fmt.Errorf("access: %w\n%s", err, q)
				}
			}
			fmt.Fprintf(a.stdout, "access: %d statements run for %d tokens\n", len(stmts), len(verifier.Tokens()))
			return nil
		},
	}
	cmd.Flags().BoolVar(&apply, "apply", false, "run the statements on the ClickHouse server instead of printing them")
	return cmd
}

// accessStatements are the statements that give each token its access on
// the server s.
func accessStatements(ctx context.Context, s store.Store, tokens []serve.Token) ([]string, error) {
	onCluster := ""
	if c := s.Cluster(); c != "" {
		onCluster = "ON CLUSTER " + quoteIdent(c)
	}
	main := s.Database()
	stmts := []string{joinWords("CREATE SETTINGS PROFILE OR REPLACE", analystProfile, onCluster,
		"SETTINGS readonly = 1 CONST, max_execution_time = 600 MAX 600, max_result_bytes = 1073741824 MAX 1073741824")}
	databases := map[string]string{}
	for _, c := range transform.XuchangCounties() {
		db, views, err := chhttp.ScopeStatements(ctx, s, c.Code, onCluster, "DEFINER = CURRENT_USER SQL SECURITY DEFINER")
		if err != nil {
			return nil, err
		}
		databases[c.Code] = db
		for _, t := range tokens {
			if t.Scope.Code() == c.Code {
				stmts = append(stmts, views...)
				break
			}
		}
	}
	for _, t := range tokens {
		user := quoteIdent(t.Name)
		stmts = append(stmts, joinWords("CREATE USER OR REPLACE", user, onCluster, "IDENTIFIED WITH sha256_hash BY", quoteString(t.SHA256)))
		var grants []string
		if t.Scope.City() {
			grants = append(grants, main+".*", "system.*")
			for _, c := range transform.XuchangCounties() {
				grants = append(grants, databases[c.Code]+".*")
			}
		} else {
			db, ok := databases[t.Scope.Code()]
			if !ok {
				return nil, fmt.Errorf("access: token %s: no database for county %s", t.Name, t.Scope.Code())
			}
			grants = append(grants, db+".*")
			for _, st := range sqlaccess.EngineSystemTables {
				grants = append(grants, "system."+st)
			}
		}
		stmts = append(stmts, joinWords("GRANT", onCluster, "SELECT ON", grants[0], "TO", user))
		for _, g := range grants[1:] {
			stmts = append(stmts, joinWords("GRANT", onCluster, "SELECT ON", g, "TO", user))
		}
		def := main
		if !t.Scope.City() {
			def = databases[t.Scope.Code()]
		}
		stmts = append(stmts, joinWords("ALTER USER", user, onCluster, "DEFAULT DATABASE", def, "SETTINGS PROFILE", quoteString(analystProfile)))
	}
	return stmts, nil
}

// parses has the engine parse q (bound as a parameter: it runs nothing).
func parses(ctx context.Context, s store.Store, q string) error {
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
