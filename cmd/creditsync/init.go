package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/schema"
)

func (a *app) initCmd() *cobra.Command {
	var retry, unlock bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create or upgrade the database schema",
		Long: `init creates the database on a ClickHouse server if it does not exist
(no other command does) and applies the schema migrations that are not
applied yet. Other commands apply pending migrations too, after a cheap
check finds some; init makes it explicit and reports what it did. Each
step is recorded in schema_migrations; a lease in the database keeps two
processes from migrating at once, and lapses by itself if its holder dies.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a.autoSchema = false
			a.createDB = true
			s, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			if unlock {
				if err := schema.Unlock(cmd.Context(), s); err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, "schema lease released")
			}
			res, err := schema.Migrate(cmd.Context(), s, schema.Options{Retry: retry})
			if err != nil {
				return err
			}
			for _, m := range res.Applied {
				fmt.Fprintf(a.stdout, "applied %s\n", m)
			}
			fmt.Fprintf(a.stdout, "schema at version %d in database %s (%s)\n", res.Current, s.Database(), a.where())
			return nil
		},
	}
	cmd.Flags().BoolVar(&retry, "retry", false, "run a half-applied migration again (after fixing its cause)")
	cmd.Flags().BoolVar(&unlock, "unlock", false, "end a schema lease left by a process that died (it also lapses by itself within minutes)")
	return cmd
}
