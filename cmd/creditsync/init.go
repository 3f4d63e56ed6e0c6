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
		Long: `init applies the schema migrations that are not applied yet. Every
other command does this on first use too; init makes it explicit and
reports what it did. Each step is recorded in schema_migrations.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			a.autoSchema = false
			s, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			if unlock {
				if err := schema.Unlock(cmd.Context(), s); err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, "migration lock removed")
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
	cmd.Flags().BoolVar(&unlock, "unlock", false, "remove a migration lock left by a process that died")
	return cmd
}
