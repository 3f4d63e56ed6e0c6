package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/schema"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/embedded"
	"github.com/xuchang-hrss/creditsync/store/server"
)

// app holds the global options shared by every command.
type app struct {
	dataDir    string
	dsn        string
	cluster    string
	database   string
	logFormat  string
	verbose    bool
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
	sqlParams  map[string]string // --param_NAME=VALUE, taken out before cobra parses
	rawArgs    []string          // the command line without them, to forward to a daemon
	shared     store.Store       // the daemon's store; commands use it instead of opening one
	sharedData string            // the daemon's data directory (absolute)
	inDaemon   bool              // running inside the daemon: never forward again
	log        *slog.Logger
	// journal, in the daemon, is its own log, for the lines of forwarded
	// commands it keeps (journalled).
	journal    slog.Handler
	autoSchema bool
	createDB   bool // init: create the server database if missing
	bar        *progressbar.ProgressBar
	metrics    *jobs.Metrics // set by the scheduler daemon; nil otherwise
	configFile string        // run --config; "" = CREDITSYNC_CONFIG or creditsync.toml
	// readOnly: the command only reads the store, so it makes none where
	// there is none (readOnly).
	readOnly bool
	// rulesEnv is CREDITSYNC_RULES of the person running the command: this
	// process's, or the one the CLI sent with a command the daemon runs.
	rulesEnv string
}

func newApp() *app {
	return &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, autoSchema: true, rulesEnv: os.Getenv(rulesVar)}
}

// rulesVar names the grading rules file for the grading commands and
// the nightly run; the CLI sends its value with a command to the daemon.
const rulesVar = "CREDITSYNC_RULES"

// defaultDataDir is where the embedded engine keeps data when neither
// --data nor CREDITSYNC_DATA says otherwise.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "creditsync")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "creditsync")
	}
	return "creditsync-data"
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func (a *app) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "creditsync",
		Short: "Credit grading of Xuchang's human-resource service institutions",
		Long: `creditsync keeps the A/B/C/D credit grades of Xuchang's licensed
human-resource service institutions current: it imports the bureau's
registers and inspection records, syncs the external credit lists, and
stores everything in ClickHouse.

Storage: an embedded ClickHouse engine (chDB) in the data directory by
default; a ClickHouse server or cluster when --clickhouse (or
CREDITSYNC_CLICKHOUSE) is set.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if a.dsn == "" {
				a.dsn = os.Getenv("CREDITSYNC_CLICKHOUSE")
			}
			a.log = a.newLogger()
			if a.journal != nil && journalled[cmd.Name()] {
				// A job run forwarded to the daemon is in its journal too,
				// step by step, as a scheduled one is (docs/operations.md).
				a.log = slog.New(slog.NewMultiHandler(a.log.Handler(), a.journal.WithAttrs([]slog.Attr{slog.String("forwarded", cmd.Name())})))
			}
			if len(a.sqlParams) > 0 && cmd.Name() != "sql" {
				return usageError{fmt.Errorf("--param_NAME=VALUE is for the sql command, not %s", cmd.Name())}
			}
			top := topCommand(cmd)
			if !noData[top] {
				if err := a.checkDataDir(cmd); err != nil {
					return err
				}
			}
			a.readOnly = readOnly[top]
			return a.forward(cmd, args)
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.dataDir, "data", envOr("CREDITSYNC_DATA", defaultDataDir()), "data directory of the embedded engine (env CREDITSYNC_DATA)")
	// No default from the environment: --help prints defaults, and the
	// DSN holds a password. serverDSN reads the variable when it is used.
	pf.StringVar(&a.dsn, "clickhouse", "", "ClickHouse server DSN clickhouse://user:pass@host:9000/db; empty = embedded engine (env CREDITSYNC_CLICKHOUSE)")
	pf.StringVar(&a.cluster, "cluster", os.Getenv("CREDITSYNC_CLUSTER"), "ClickHouse cluster name for ON CLUSTER DDL and Replicated tables (env CREDITSYNC_CLUSTER)")
	pf.StringVar(&a.database, "database", envOr("CREDITSYNC_DATABASE", "creditsync"), "ClickHouse database (env CREDITSYNC_DATABASE)")
	pf.StringVar(&a.logFormat, "log-format", envOr("CREDITSYNC_LOG_FORMAT", "text"), "log format: text or json")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log debug detail")
	root.AddCommand(a.initCmd(), a.importCmd(), a.sqlCmd(), a.versionCmd(), a.demoCmd(), a.gradeCmd(), a.explainCmd(), a.evaluateCmd(), a.objectionCmd(), a.confirmCmd(), a.expireCmd(), a.regradeCmd(), a.upgradeCmd(), a.historyCmd(), a.gradesCmd(), a.eligibilityCmd(), a.samplePlanCmd(), a.nominateCmd(), a.genCmd())
	root.AddCommand(a.runCmd(), a.scheduleCmd(), a.statusCmd())
	root.AddCommand(a.reportCmd(), a.serveCmd(), a.serverCmd())
	root.AddCommand(a.syncCmd(), a.sourcesCmd(), a.reviewCmd(), a.accessCmd())
	requireCommands(root)
	return root
}

// noData are the commands that use no data directory.
var noData = map[string]bool{"version": true, "help": true, "completion": true}

// readOnly are the commands that only read the store: on a data
// directory with none (a mistyped --data) they say so instead of
// creating the directories and an empty store, and showing it empty.
var readOnly = map[string]bool{"status": true, "sources": true, "grades": true, "history": true, "report": true,
	"explain": true, "eligibility": true, "sample-plan": true, "grade": true}

// topCommand is the command of the root that cmd is or is under
// ("report summary" → report); "" for the root itself.
func topCommand(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return ""
	}
	for cmd.HasParent() && cmd.Parent().HasParent() {
		cmd = cmd.Parent()
	}
	return cmd.Name()
}

// checkDataDir refuses a data directory that cannot be what was meant:
// --data "" (which failed as "mkdir : no such file or directory"), or
// CREDITSYNC_DATA set but empty, which used the default directory
// without a word.
func (a *app) checkDataDir(cmd *cobra.Command) error {
	given := cmd.Flags().Changed("data")
	if v, set := os.LookupEnv("CREDITSYNC_DATA"); set && v == "" && !given {
		return usageError{fmt.Errorf("CREDITSYNC_DATA is set but empty: set it to the data directory, or unset it to use the default %s", defaultDataDir())}
	}
	if a.dataDir == "" {
		return usageError{fmt.Errorf("--data is empty: name the data directory (without --data: CREDITSYNC_DATA, else %s)", defaultDataDir())}
	}
	return nil
}

// requireCommands makes every command that groups others — the root,
// report, objection, upgrade, review — refuse a missing or unknown
// command name with a usage error (exit 2, docs/guide.md). Cobra prints a
// group's help and succeeds for `creditsync report` and `creditsync
// report sumary 411002 -o x.xlsx`, which a script takes for a report
// written. A group that runs by itself (review lists its queue) keeps
// running bare; only an argument that is none of its commands is refused.
// --help still prints the help and exits 0.
func requireCommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		requireCommands(sub)
	}
	if !c.HasAvailableSubCommands() {
		return
	}
	if c.Runnable() {
		own := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && (own == nil || own(cmd, args) != nil) {
				return unknownCommand(cmd, args[0])
			}
			if own != nil {
				return own(cmd, args)
			}
			return nil
		}
		return
	}
	// Checked in Args, before PersistentPreRunE would forward the command
	// line to a daemon; RunE only makes the group runnable, so that cobra
	// reaches Args instead of printing the help.
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return unknownCommand(cmd, args[0])
		}
		return usageError{fmt.Errorf("%s needs a command: %s", cmd.CommandPath(), commandNames(cmd))}
	}
	c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Args(cmd, args) }
}

// unknownCommand is the usage error of a name that is none of cmd's
// commands, with cobra's suggestion when one is near.
func unknownCommand(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's own default, which it sets only for the root
	}
	if near := cmd.SuggestionsFor(name); len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, " or ") + "?"
	}
	return usageError{fmt.Errorf("%s (commands: %s)", msg, commandNames(cmd))}
}

// commandNames lists the commands cmd groups, as its help does.
func commandNames(cmd *cobra.Command) string {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return strings.Join(names, ", ")
}

// journalled are the commands whose log lines a daemon running them for
// a client writes to its own journal as well: the jobs, whose steps the
// operator reads there. Other commands' lines (queries, file names) stay
// the client's.
var journalled = map[string]bool{"run": true, "sync": true}

func (a *app) newLogger() *slog.Logger {
	level := slog.LevelInfo
	if a.verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if a.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

// isTerminal reports whether w (a reader or writer) is an interactive
// terminal (for progress bars).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// open opens the configured store and brings its schema up to date.
// Inside the daemon it returns the daemon's store, which stays open.
func (a *app) open(ctx context.Context) (store.Store, error) {
	if a.shared != nil {
		if a.sharedData != "" {
			if !sameDirectory(a.dataDir, a.sharedData) {
				return nil, fmt.Errorf("the daemon holds %s, not %s: give the daemon's data directory, or stop the daemon to use another", a.sharedData, a.dataDir)
			}
		}
		return sharedStore{a.shared}, nil
	}
	var s store.Store
	if a.dsn != "" {
		a.log.Debug("opening ClickHouse server", "dsn", server.Redact(a.dsn), "cluster", a.cluster)
		srv, err := server.Open(ctx, server.Config{DSN: a.dsn, Database: a.databaseOverride(), Cluster: a.cluster, Create: a.createDB})
		if err != nil {
			return nil, err
		}
		s = srv
	} else {
		if a.readOnly {
			// sql's rule: a directory that is not there, or holds other
			// things, is no store; an empty one is a new store.
			if err := a.dataMustExist(); err != nil {
				return nil, err
			}
		}
		if err := os.MkdirAll(a.dataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		a.log.Debug("opening embedded engine", "data", a.dataDir)
		emb, err := embedded.Open(ctx, embedded.Config{Path: filepath.Join(a.dataDir, "clickhouse"), Database: a.database})
		if err != nil {
			return nil, err
		}
		s = emb
	}
	if a.autoSchema {
		// A cheap read first: with nothing pending no lease is taken and
		// no DDL is sent, so concurrent commands never wait on each other.
		pending, err := schema.Pending(ctx, s)
		var res schema.Result
		if err == nil && len(pending) > 0 {
			res, err = schema.Migrate(ctx, s, schema.Options{})
		}
		if err != nil {
			s.Close()
			return nil, err
		}
		for _, m := range res.Applied {
			a.log.Info("applied migration", "migration", m)
		}
	}
	return s, nil
}

// databaseOverride returns --database when given explicitly, so a DSN's
// own database is used otherwise.
func (a *app) databaseOverride() string {
	if a.database == "creditsync" && os.Getenv("CREDITSYNC_DATABASE") == "" {
		return ""
	}
	return a.database
}

func (a *app) where() string {
	if a.dsn != "" {
		return "ClickHouse server " + server.Redact(a.dsn)
	}
	return "embedded engine in " + a.dataDir
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s needs %s (got %d argument(s): %s)", cmd.CommandPath(), what, len(args), strings.Join(args, " "))}
		}
		return nil
	}
}

// sharedStore is the daemon's store lent to one command: closing it is a
// no-op, the daemon closes it when it stops.
type sharedStore struct{ store.Store }

func (sharedStore) Close() error { return nil }

// unshared returns the store under a sharedStore.
func unshared(s store.Store) store.Store {
	if sh, ok := s.(sharedStore); ok {
		return sh.Store
	}
	return s
}

// sameDirectory reports whether a and b name one directory: by the file
// system's own identity (device and inode), so a path through a symlink
// (/var/lib/creditsync → /srv/creditsync), a relative one or one with ..
// is the daemon's directory as its own path is. Compared as text, a
// symlinked install's commands were refused while the daemon ran.
func sameDirectory(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}
