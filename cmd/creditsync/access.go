package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/chhttp"
)

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
user reads the whole database and the counties' databases. A token named
as a server user it would replace (default, or the user creditsync
connects as) is refused.

Without --apply the statements are printed, each checked first by the
engine's parser; with --apply on a server (--clickhouse) they are run
there, ON CLUSTER when a cluster is configured. The server should set
access_control_improvements.select_from_system_db_requires_grant = true,
so that the county users read no system table but those granted here
(they describe the engine, not the data). The output holds the tokens'
hashes: keep it like the configuration file.`,
		Example: `  creditsync access > access.sql
  creditsync --clickhouse clickhouse://admin:…@ch1:9000/creditsync --cluster bureau access --apply`,
		Args: exactArgs(0, "no arguments"),
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
			var users []chhttp.ServerUser
			for _, t := range verifier.Tokens() {
				u := chhttp.ServerUser{Name: t.Name, SHA256: t.SHA256}
				if !t.Scope.City() {
					u.County = t.Scope.Code()
				}
				users = append(users, u)
			}
			stmts, err := chhttp.ServerAccess(ctx, s, users)
			if err != nil {
				return err
			}
			for _, q := range stmts {
				if err := chhttp.Parses(ctx, s, q); err != nil {
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
			fmt.Fprintf(a.stdout, "access: %d statements run for %d tokens\n", len(stmts), len(users))
			return nil
		},
	}
	cmd.Flags().BoolVar(&apply, "apply", false, "run the statements on the ClickHouse server instead of printing them")
	return cmd
}
