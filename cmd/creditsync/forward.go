package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/localapi"
)

// forwardedExit ends a command the daemon ran; its output is printed.
type forwardedExit struct{ code int }

func (e forwardedExit) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// standalone commands never go to the daemon: they are the daemon, start
// their own servers, or need no store.
var standalone = map[string]bool{"server": true, "serve": true, "schedule": true, "demo": true, "version": true, "help": true, "completion": true}

// pathFlags hold file names, made absolute before a command line goes to
// the daemon (which runs in another directory).
var pathFlags = map[string]bool{"--data": true, "-o": true, "--output": true, "--queries-file": true, "--uscc-allow": true, "--rules": true, "--config": true}

// forward sends the command to the daemon owning the data directory, when
// one runs; it returns forwardedExit with the daemon's exit status. With
// no daemon (or a ClickHouse server) it returns nil and the command runs
// here.
func (a *app) forward(cmd *cobra.Command, args []string) error {
	if a.inDaemon || a.dsn != "" || a.rawArgs == nil {
		return nil
	}
	top := cmd
	for top.HasParent() && top.Parent().HasParent() {
		top = top.Parent()
	}
	if !top.HasParent() {
		return nil // the root itself
	}
	ctx := cmd.Context()
	client, info, err := localapi.Dial(ctx, a.dataDir)
	if errors.Is(err, localapi.ErrNoDaemon) {
		return nil
	}
	if err != nil {
		return err
	}
	if standalone[top.Name()] {
		switch top.Name() {
		case "serve", "schedule", "server":
			return fmt.Errorf("%s already owns %s and does the work of serve and schedule (web pages at %s); stop it first (systemctl stop creditsync, or kill %d) to run %s on its own",
				info, a.dataDir, orNone(info.WebAddr), info.PID, top.Name())
		}
		return nil
	}
	dataDir, err := filepath.Abs(a.dataDir)
	if err != nil {
		return err
	}
	fwd := append([]string{"--data", dataDir}, absolutePaths(a.rawArgs, args)...)
	for k, v := range a.sqlParams {
		fwd = append(fwd, "--param_"+k+"="+v)
	}
	var stdin []byte
	if cmd.Name() == "sql" && len(args) == 0 && cmd.Flags().Lookup("queries-file").Value.String() == "" && !isTerminal(a.stdin) {
		if stdin, err = io.ReadAll(a.stdin); err != nil {
			return fmt.Errorf("read queries from standard input: %w", err)
		}
	}
	a.log.Debug("running in the daemon", "pid", info.PID, "args", fwd)
	var env map[string]string
	if a.rulesEnv != "" {
		rules, err := filepath.Abs(a.rulesEnv)
		if err != nil {
			return err
		}
		env = map[string]string{rulesVar: rules}
	}
	// The first Ctrl-C (ctx ending) is sent to the daemon as a graceful
	// stop of this command: a job run finishes its step and skips the
	// rest, printing and exiting as it would without the daemon. The
	// second (jobs.Hard) drops the connection, which cancels the command.
	hard := jobs.Hard(ctx)
	code, err := client.Exec(hard, ctx, fwd, env, stdin, a.stdout, a.stderr)
	if hard.Err() != nil {
		return interruptedError{}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", info, err)
	}
	return forwardedExit{code}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// absolutePaths rewrites relative file names in a command line: the values
// of path flags, and the command's positional arguments naming an existing
// file.
func absolutePaths(args, positional []string) []string {
	isPositional := map[string]bool{}
	for _, p := range positional {
		isPositional[p] = true
	}
	out := make([]string, 0, len(args))
	abs := func(p string) string {
		if p == "" || p == "-" || filepath.IsAbs(p) {
			return p
		}
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			for _, rest := range args[i:] {
				out = append(out, abs(rest))
			}
			return out
		case pathFlags[arg] && i+1 < len(args):
			out = append(out, arg, abs(args[i+1]))
			i++
		case strings.HasPrefix(arg, "-") && strings.Contains(arg, "="):
			name, value, _ := strings.Cut(arg, "=")
			if pathFlags[name] {
				arg = name + "=" + abs(value)
			}
			out = append(out, arg)
		case isPositional[arg] && listFile(arg) && !exists(arg):
			// import LIST=FILE
			list, file, _ := strings.Cut(arg, "=")
			out = append(out, list+"="+abs(file))
		case isPositional[arg] && (exists(arg) || looksLikePath(arg)):
			// A file the daemon would not find by this name, or would
			// find another by in its own directory, is named in full:
			// its error then names the file the user meant.
			out = append(out, abs(arg))
		default:
			out = append(out, arg)
		}
	}
	return out
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// daemonRunner runs command lines sent to the daemon, each with an app of
// its own on the daemon's store.
func daemonRunner(s *sharedState) localapi.Runner {
	return func(ctx context.Context, args []string, env map[string]string, stdin []byte, stdout, stderr io.Writer) int {
		s.commands.Add(1)
		defer s.commands.Done()
		// The client going away cancels the command at once; the daemon's
		// stop, or the client's, cancels it too, but lets a job run
		// finish its step.
		soft, cancelSoft := context.WithCancelCause(ctx)
		defer cancelSoft(nil)
		defer context.AfterFunc(s.stop, func() { cancelSoft(context.Cause(s.stop)) })()
		// The person's first Ctrl-C at the client: a graceful stop of
		// this command alone, as without the daemon.
		stopped := localapi.StopRequested(ctx)
		defer context.AfterFunc(stopped, func() { cancelSoft(context.Cause(stopped)) })()
		hard, cancelHard := context.WithCancelCause(ctx)
		defer cancelHard(nil)
		defer context.AfterFunc(s.hard, func() { cancelHard(context.Cause(s.hard)) })()
		ctx = jobs.WithGrace(soft, hard)
		a := newApp()
		a.stdin, a.stdout, a.stderr = strings.NewReader(string(stdin)), stdout, stderr
		a.shared, a.inDaemon = s.store, true
		a.rulesEnv = env[rulesVar] // the person's, never the daemon's own
		a.sharedData, a.metrics = s.dataDir, s.metrics
		a.journal = s.log.Handler()
		start := time.Now()
		code := a.execute(ctx, args)
		// The command's name only: arguments may hold queries and names.
		s.log.Info("command", "name", commandName(args), "exit", code, "seconds", time.Since(start).Seconds())
		return code
	}
}

// commandName is the first argument that is not a flag or a flag's value
// of the forwarded line ("--data DIR sql …" → "sql").
func commandName(args []string) string {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case pathFlags[a] || a == "--clickhouse" || a == "--cluster" || a == "--database" || a == "--log-format":
			i++
		case !strings.HasPrefix(a, "-"):
			return a
		}
	}
	return ""
}

// looksLikePath reports whether a positional argument is a file's name
// though no such file is here: one word (no spaces or quotes, which a
// statement or a name has) naming a folder or a file of the kinds the
// commands read or write.
func looksLikePath(arg string) bool {
	if arg == "" || strings.ContainsAny(arg, " \t\n'\"()") {
		return false
	}
	if strings.ContainsRune(arg, filepath.Separator) {
		return true
	}
	switch strings.ToLower(filepath.Ext(arg)) {
	case ".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".sql", ".toml", ".json", ".html":
		return true
	}
	return false
}

// listFile reports whether arg is import's LIST=FILE: a list of the
// contract, then a file's name.
func listFile(arg string) bool {
	list, file, ok := strings.Cut(arg, "=")
	if !ok || file == "" {
		return false
	}
	_, err := contract.Lookup(list)
	return err == nil
}
