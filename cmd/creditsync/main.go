// Command creditsync grades Xuchang's human-resource service institutions
// from the bureau's records and external credit lists, stored in
// ClickHouse (embedded chDB by default, or a server or cluster).
//
// Exit codes: 0 success; 1 failure; 2 bad usage; 3 the command finished
// but rejected some input records (they are listed, the good ones loaded).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/store"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitRejected = 3
	// exitInterrupted is the shell's 128+SIGINT, for a command stopped by
	// Ctrl-C or SIGTERM.
	exitInterrupted = 130
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	// creditsync shares its process with the embedded engine, whose
	// memory the Go collector does not see. Unless GOMEMLIMIT says
	// otherwise, the collector works harder as the heap nears 1 GiB: a
	// regrade of a million institutions holds 700 MB of results, and the
	// default would let the heap reach twice that. Below the limit
	// nothing changes, so an import (a small heap that allocates fast)
	// pays no more collection; above it the runtime caps the collector's
	// share of CPU rather than fail.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
	ctx, stop := stopOnSignals()
	defer stop()
	os.Exit(profiled(func() int { return run(ctx, os.Args[1:]) }))
}

// stopGrace is how long a stop waits for a job's running step before
// cancelling it: below the 10 minutes systemd waits (TimeoutStopSec in
// docs/creditsync.service) before it kills the daemon outright.
const stopGrace = 9 * time.Minute

// stopOnSignals returns the context of a command line. The first SIGINT,
// SIGTERM or SIGHUP ends it: commands stop, and a job run lets its running step
// finish and starts no other (jobs.WithGrace). A second signal, or
// stopGrace after the first, cancels that step too.
func stopOnSignals() (context.Context, func()) {
	soft, stopSoft := context.WithCancelCause(context.Background())
	hard, stopHard := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	// SIGHUP (a closed terminal, or a reload by habit) stops as SIGTERM
	// does: creditsync has nothing to reload, and dying of it left the
	// daemon's socket behind without a word in its log.
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		stopSoft(fmt.Errorf("%v received", sig))
		deadline := time.NewTimer(stopGrace)
		defer deadline.Stop()
		select {
		case sig, ok = <-sigs:
			if ok {
				stopHard(fmt.Errorf("a second %v received", sig))
			}
		case <-deadline.C:
			stopHard(fmt.Errorf("the running step had not finished %v after the stop", stopGrace))
		}
	}()
	return jobs.WithGrace(soft, hard), func() {
		signal.Stop(sigs)
		close(sigs)
		stopSoft(nil)
		stopHard(nil)
	}
}

// profiled runs f, writing a CPU profile of it to the file named by
// CREDITSYNC_CPUPROFILE when that is set: how BENCHMARKS.md's profiles
// are taken from the real binary.
func profiled(f func() int) int {
	path := os.Getenv("CREDITSYNC_CPUPROFILE")
	if path == "" {
		return f()
	}
	out, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "creditsync: CPU profile:", err)
		return f()
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		fmt.Fprintln(os.Stderr, "creditsync: CPU profile:", err)
		return f()
	}
	defer pprof.StopCPUProfile()
	return f()
}

func run(ctx context.Context, args []string) int { return newApp().execute(ctx, args) }

// execute runs one command line with a's standard streams and returns the
// exit status. The daemon calls it too, for the commands it is sent.
func (a *app) execute(ctx context.Context, args []string) int {
	stderr := a.stderr
	args, params, err := takeParams(args)
	if err != nil {
		fmt.Fprintln(stderr, "creditsync:", err)
		return exitUsage
	}
	a.sqlParams, a.rawArgs = params, args
	cmd := a.root()
	cmd.SetArgs(args)
	if a.inDaemon {
		// cobra prints its warnings (a deprecated flag) with the command's
		// "out" writer: in the daemon, that is the client's standard error.
		cmd.SetIn(a.stdin)
		cmd.SetOut(a.stderr)
		cmd.SetErr(a.stderr)
	}
	err = cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ue usageError
	var re rejectedError
	var ie interruptedError
	var fe forwardedExit
	switch {
	case errors.As(err, &fe):
		return fe.code
	case errors.As(err, &ie):
		fmt.Fprintln(stderr, "creditsync: interrupted")
		return exitInterrupted
	case errors.As(err, &re):
		fmt.Fprintln(stderr, "creditsync:", err)
		return exitRejected
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "creditsync:", err)
		fmt.Fprintln(stderr, "run 'creditsync --help' for usage")
		return exitUsage
	}
	fmt.Fprintln(stderr, "creditsync:", err)
	var se *store.Error
	if !errors.As(err, &se) {
		// store.Error prints its own hint.
		if hint := hintFor(err); hint != "" {
			fmt.Fprintln(stderr, "hint:", hint)
		}
	}
	return exitFailure
}

// usageError marks errors in how the command was called.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// rejectedError marks a command that did its work but rejected records.
type rejectedError struct{ error }

func (e rejectedError) Unwrap() error { return e.error }

func hintFor(err error) string {
	if errors.Is(err, context.Canceled) {
		return "interrupted; work already committed is kept, run the command again to continue"
	}
	return ""
}

// takeParams removes clickhouse-client style --param_NAME=VALUE (or
// --param_NAME VALUE) arguments, which cobra cannot declare, before the
// flags are parsed.
func takeParams(args []string) (rest []string, params map[string]string, err error) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, ok := strings.CutPrefix(arg, "--param_")
		if !ok {
			rest = append(rest, arg)
			continue
		}
		name, value, hasValue := strings.Cut(name, "=")
		if !hasValue {
			if i+1 >= len(args) {
				return nil, nil, usageError{fmt.Errorf("--param_%s needs a value", name)}
			}
			i++
			value = args[i]
		}
		if name == "" {
			return nil, nil, usageError{errors.New("--param_NAME=VALUE needs a name")}
		}
		if params == nil {
			params = map[string]string{}
		}
		params[name] = value
	}
	return rest, params, nil
}
