package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/serve"
)

func (a *app) serveCmd() *cobra.Command {
	var addr, rules string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the read-only web pages and JSON API for analysts and bureaus",
		Long: `serve answers on --addr with HTML pages (search, institution with its
evidence, county dashboards with charts, city overview, report downloads)
and a JSON API under /api/ (institutions, explain, history, eligibility,
grades on a date, county and city trends). Nothing can be changed through
it.

Access needs a token from the [serve] section of creditsync.toml (or the
file named by CREDITSYNC_CONFIG): a bearer header, or the login page,
which sets a session cookie. A "city" token sees everything; a county
token sees its county only, and everything else answers 404.

  [[serve.tokens]]
  name = "city bureau"
  token_env = "CREDITSYNC_TOKEN_CITY"   # the variable holding the token
  scope = "city"

  [[serve.tokens]]
  name = "魏都区"
  token_sha256 = "…"                    # printf %s TOKEN | sha256sum
  scope = "411002"

Grades are those recorded in the grade history; until an evaluation is
recorded they are computed with the rules at each day. The choice is made
at start and logged.

With the embedded engine serve holds the data directory alone; to run
imports, queries and the nightly job next to the web pages, run the
daemon instead (creditsync server), which serves the same pages.`,
		Example: "  CREDITSYNC_TOKEN_CITY=$(openssl rand -hex 24) creditsync serve --addr 127.0.0.1:8080",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := loadServeConfig()
			if err != nil {
				return err
			}
			r, err := grade.Load(rules)
			if err != nil {
				return err
			}
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			sources := report.NewSources(s, r) // chosen again at each request
			_, kind, err := sources.Choose(ctx)
			if err != nil {
				return err
			}
			contacts, err := a.publicContacts()
			if err != nil {
				return err
			}
			srv, err := serve.New(serve.Options{Sources: sources, Config: cfg, Log: a.log, StateDir: a.webStateDir(), Contacts: contacts})
			if err != nil {
				return err
			}
			lim, err := cfg.ConnLimits()
			if err != nil {
				return err
			}
			conns, err := a.connLimiter(lim)
			if err != nil {
				return err
			}
			ln, err := conns.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("serve on %s: %w", addr, err)
			}
			a.log.Info("serving", "addr", addr, "store", a.where(), "grades", report.SourceNote(kind))
			return srv.Serve(ctx, ln)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on; keep it local and put a TLS proxy in front for others")
	cmd.Flags().StringVar(&rules, "rules", "", "grading rules file (default: the built-in 2023 Xuchang rules)")
	return cmd
}

// loadServeConfig reads the [serve] section of the configuration file.
func loadServeConfig() (serve.Config, error) {
	var file struct {
		Serve serve.Config `toml:"serve"`
	}
	path, explicit := configPath()
	_, err := toml.DecodeFile(path, &file)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return serve.Config{}, fmt.Errorf("%s not found: serve needs tokens in its [serve] section (see creditsync serve --help), or name the file with CREDITSYNC_CONFIG", path)
	case err != nil:
		return serve.Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return file.Serve, checkConfig(path)
}
