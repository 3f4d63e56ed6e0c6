package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/chhttp"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/localapi"
	"github.com/xuchang-hrss/creditsync/netlimit"
	"github.com/xuchang-hrss/creditsync/peer"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/serve"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

// sharedState is what the daemon lends to the commands it runs.
type sharedState struct {
	store   store.Store
	dataDir string
	metrics *jobs.Metrics
	log     *slog.Logger
	// stop ends when the daemon stops, hard when it can no longer wait
	// for a job's running step (jobs.WithGrace); commands keeps count of
	// the commands in flight, which the store outlives.
	stop, hard context.Context
	commands   sync.WaitGroup
}

// serverFlags are the daemon's options.
type serverFlags struct {
	addr, metricsAddr, rules string
	sqlAddr                  string
	sqlMaxBytes              uint64
	sqlMaxTime               time.Duration
	sqlMaxMemory             uint64
	sqlMaxThreads            uint64
	sqlWriteTimeout          time.Duration
	sqlMaxQueries            int
	sqlMaxQueriesAll         int
	sqlQueueWait             time.Duration
}

func (a *app) serverCmd() *cobra.Command {
	var f serverFlags
	cmd := &cobra.Command{
		Use:   "server",
		Short: "The daemon: owns the data directory, serves the web pages, runs the schedule and the CLI's commands",
		Long: `server is the one long-running process of a bureau's installation. It
opens the store once and keeps it, and does everything long-running:

  - the web pages and JSON API of serve, on --addr (needs [serve] tokens in
    creditsync.toml; without them the web pages stay off);
  - the scheduled jobs of schedule ([schedule] cron specs, the same run
    lock, summaries and webhook);
  - the ClickHouse HTTP interface on --sql-addr, for analysts' own tools
    (curl, DBeaver, Grafana, clickhouse-connect, clickhouse-go): read-only,
    limited by --sql-max-result-bytes, --sql-max-execution-time,
    --sql-max-memory-usage, --sql-max-threads, --sql-write-timeout and
    --sql-max-queries-per-token, and paused by
    the engine while the daemon's own queries run, with the same tokens as
    the web pages as password; a county token sees only its county's rows
    (see docs/security.md);
  - Prometheus metrics and /healthz on --metrics-addr (an address in use
    fails the start, as for the other listeners);
  - the local API: a Unix socket at DATA/daemon/api.sock (directory 0700,
    socket 0600, never on the network). While the daemon runs, every other
    creditsync command on the same data directory (sql, import, run,
    grade, report, …) is sent there and runs inside the daemon: the same
    output, the same exit status, no lock errors.

SIGTERM, SIGHUP or Ctrl-C stops it gracefully (SIGHUP reloads nothing): new commands are refused, the
running job (scheduled or sent by run) finishes its current step and
starts no other, ending "interrupted" (no failure, no webhook), other
commands in flight are cancelled, then the store is closed. A second
signal, or 9 minutes without the step finishing, cancels the step too.

serve and schedule still run on their own for those who want them apart
(or with a ClickHouse server), but not next to a daemon on the same data
directory.`,
		Example: `  creditsync --data /var/lib/creditsync server --addr 127.0.0.1:8080
  creditsync --data /var/lib/creditsync sql "SELECT count() FROM v_current_grades"   # runs in the daemon`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.server(cmd.Context(), cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address of the web pages and JSON API; keep it local and put a TLS proxy in front for others")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "address for /metrics and /healthz (default from config, 127.0.0.1:9464); empty string disables")
	fl.StringVar(&f.rules, "rules", "", "grading rules file (default: the built-in 2023 Xuchang rules)")
	fl.StringVar(&f.sqlAddr, "sql-addr", "127.0.0.1:8123", "address of the ClickHouse HTTP interface for analysts' tools; empty string disables")
	fl.Uint64Var(&f.sqlMaxBytes, "sql-max-result-bytes", 1<<30, "largest result one query through --sql-addr may return")
	fl.DurationVar(&f.sqlMaxTime, "sql-max-execution-time", 10*time.Minute, "longest a query through --sql-addr may run")
	fl.Uint64Var(&f.sqlMaxMemory, "sql-max-memory-usage", 0, "most engine memory one query through --sql-addr may take, in bytes; 0 = half the machine's memory shared by --sql-max-queries")
	fl.Uint64Var(&f.sqlMaxThreads, "sql-max-threads", 1, "threads the engine gives one query through --sql-addr, and the most a token may ask for (max_threads); 0 = every core, which the nightly run then shares")
	fl.DurationVar(&f.sqlWriteTimeout, "sql-write-timeout", time.Minute, "longest one write of an answer through --sql-addr may wait for the client to read; a client that stops reading loses its query (0 = no limit)")
	fl.IntVar(&f.sqlMaxQueries, "sql-max-queries-per-token", 2, "queries one token may run at once through --sql-addr; more wait for a slot (0 = no limit); keep it below --sql-max-queries so that one token cannot take every slot")
	fl.IntVar(&f.sqlMaxQueriesAll, "sql-max-queries", 4, "queries every token together may run at once through --sql-addr; more wait for a slot (0 = no limit)")
	fl.DurationVar(&f.sqlQueueWait, "sql-queue-wait", 30*time.Second, "how long a query past --sql-max-queries-per-token or --sql-max-queries waits for a slot before it is refused (TOO_MANY_SIMULTANEOUS_QUERIES)")
	return cmd
}

func (a *app) server(ctx context.Context, cmd *cobra.Command, f serverFlags) error {
	dataDir, err := filepath.Abs(a.dataDir)
	if err != nil {
		return err
	}
	// The whole configuration is checked here, once (opsConfig checks
	// every table's keys): a mistake found by the first sync, hours
	// later, or only warned about, would leave a daemon that is "ready"
	// and does not work.
	cfg, err := a.opsConfig()
	if err != nil {
		return err
	}
	if sources, _, err := a.deps().SyncConfig(); err != nil {
		return err
	} else {
		a.warnSecretFiles(sources)
	}
	if cmd.Flags().Changed("metrics-addr") {
		cfg.Schedule.MetricsAddr = f.metricsAddr
	}
	rules, err := grade.Load(f.rules)
	if err != nil {
		return err
	}
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	// Closed at the end of the stop, before the local API goes (below),
	// or on the way out of a start that failed.
	closeStore := sync.OnceFunc(func() {
		s.Close()
		a.log.Info("store closed")
	})
	defer closeStore()
	// A daemon killed during a run (kill -9, a crash) left it running in
	// job_runs; it is recorded interrupted now, each thing done logged.
	d := a.deps()
	d.Notices = logLines{a.log, "recovered what a process that died left"}
	if err := d.Recover(ctx, s); err != nil {
		// Not fatal: the web pages and SQL still serve what is stored.
		a.log.Error("could not look for what a process that died left", "err", err)
	}
	metrics := jobs.NewMetrics()
	if err := metrics.Restore(ctx, s); err != nil {
		return err
	}
	// The daemon stops on a signal (ctx) or when a listener fails; from
	// then on a job's running step has stopGrace to finish.
	hard, cancelHard := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelHard(nil)
	defer context.AfterFunc(jobs.Hard(ctx), func() { cancelHard(context.Cause(jobs.Hard(ctx))) })()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ctx = jobs.WithGrace(ctx, hard)
	shared := &sharedState{store: s, dataDir: dataDir, metrics: metrics, log: a.log, stop: ctx, hard: hard}
	a.shared, a.sharedData = s, dataDir // the scheduled jobs use it too

	info := localapi.Info{PID: os.Getpid(), Started: time.Now(), Command: strings.Join(os.Args, " ")}
	health := func(ctx context.Context) error {
		_, err := store.Count(ctx, s, "SELECT 1", nil)
		return err
	}

	var wg sync.WaitGroup
	errs := make(chan error, 4)

	// Web pages and JSON API, and the SQL endpoint: the same tokens, one
	// throttle for wrong ones.
	throttle := serve.NewThrottle()
	serveCfg, cfgErr := loadServeConfig()
	if cfgErr == nil && len(serveCfg.Tokens) == 0 {
		cfgErr = errors.New("no tokens in the [serve] section of the configuration")
	}
	if cfgErr != nil {
		a.log.Warn("web pages and SQL endpoint off", "reason", cfgErr)
	}
	// Every listener on the network shares one bound of connections: they
	// share the file descriptors with the engine ([serve]
	// max_connections, max_connections_per_client).
	connLimits, err := serveCfg.ConnLimits()
	if err != nil {
		return err
	}
	conns, err := a.connLimiter(connLimits)
	if err != nil {
		return err
	}
	if f.sqlAddr != "" && cfgErr == nil {
		srv, err := a.sqlEndpoint(ctx, s, serveCfg, throttle, f)
		if err != nil {
			return err
		}
		if srv != nil {
			ln, err := conns.Listen("tcp", f.sqlAddr)
			if err != nil {
				return fmt.Errorf("SQL endpoint on %s: %w", f.sqlAddr, err)
			}
			info.SQLAddr = f.sqlAddr
			wg.Add(1)
			go func() {
				defer wg.Done()
				errCh := make(chan error, 1)
				go func() { errCh <- srv.Serve(ln) }()
				select {
				case err := <-errCh:
					errs <- fmt.Errorf("SQL endpoint on %s: %w", f.sqlAddr, err)
				case <-ctx.Done():
					shutdown, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
					defer done()
					_ = srv.Shutdown(shutdown)
				}
			}()
			a.log.Info("SQL endpoint (ClickHouse HTTP interface)", "addr", f.sqlAddr)
		}
	}
	if cfgErr == nil {
		web, err := a.webServer(ctx, s, rules, serveCfg, throttle)
		if err != nil {
			return err
		}
		ln, err := conns.Listen("tcp", f.addr)
		if err != nil {
			cancel()
			wg.Wait()
			return fmt.Errorf("serve on %s: %w", f.addr, err)
		}
		info.WebAddr = f.addr
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := web.Serve(ctx, ln); err != nil {
				errs <- err
			}
		}()
		a.log.Info("web pages and JSON API", "addr", f.addr)
	}

	// Metrics and health, for the monitoring that alerts on the jobs.
	healthHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := health(r.Context()); err != nil {
			http.Error(w, "unhealthy: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	metricsSrv, err := a.metricsServer(cfg.Schedule.MetricsAddr, conns, metrics, healthHandler)
	if err != nil {
		cancel()
		wg.Wait()
		return err
	}
	if metricsSrv != nil {
		defer metricsSrv.Close()
	}

	// The local API for the CLI.
	ln, err := localapi.Listen(dataDir)
	if err != nil {
		return err
	}
	api := localapi.NewServer(daemonRunner(shared), info, health)
	apiSrv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := apiSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("local API: %w", err)
		}
	}()
	a.log.Info("local API", "socket", localapi.SocketPath(dataDir))

	// Scheduled jobs and their metrics.
	a.metrics = metrics
	stopJobs, planned, err := a.startSchedule(ctx, cfg)
	if err != nil {
		apiSrv.Close()
		return err
	}
	if planned == 0 {
		a.log.Info("no job is scheduled; set [schedule] specs in creditsync.toml to run them here")
	}
	a.log.Info("daemon ready", "data", dataDir, "pid", info.PID)

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errs:
		cancel()
	}
	a.log.Info("stopping: refusing new work, letting the running step finish", "cause", context.Cause(ctx), "deadline", stopGrace)
	deadline := time.AfterFunc(stopGrace, func() {
		cancelHard(fmt.Errorf("the running step had not finished %v after the stop", stopGrace))
	})
	defer deadline.Stop()
	// The local API stays up until the store is closed, turning new
	// commands away with what the daemon is finishing: a command that
	// found no socket would open the data directory itself and hear only
	// that this process holds it.
	api.Refuse(func() string {
		if steps := metrics.Running(); len(steps) > 0 {
			return "finishing " + strings.Join(steps, ", ")
		}
		return ""
	})
	stopJobs()
	// Commands sent by the CLI: cancelled, or a job run ending after its
	// step; the store stays open until the last has returned.
	_ = api.Drain(hard)
	shared.commands.Wait()
	shutdown, done := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer done()
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(shutdown)
	}
	wg.Wait()
	closeStore()
	_ = apiSrv.Close()
	os.Remove(localapi.SocketPath(dataDir))
	return runErr
}

// logLines is a writer of notices (workflows.Deps.Notices) that logs
// each line with msg.
type logLines struct {
	log *slog.Logger
	msg string
}

func (l logLines) Write(p []byte) (int, error) {
	for line := range strings.SplitSeq(strings.TrimSpace(string(p)), "\n") {
		if line != "" {
			l.log.Warn(l.msg, "what", line)
		}
	}
	return len(p), nil
}

// webServer builds the web pages and API of serve on s.
func (a *app) webServer(ctx context.Context, s store.Store, rules *grade.Rules, cfg serve.Config, throttle *serve.Throttle) (*serve.Server, error) {
	// Chosen again at each request: an evaluation recorded while the
	// daemon runs shows at once, as the command line shows it.
	sources := report.NewSources(s, rules)
	_, kind, err := sources.Choose(ctx)
	if err != nil {
		return nil, err
	}
	a.log.Info("grades for the web pages (chosen again at each request)", "source", report.SourceNote(kind))
	contacts, err := a.publicContacts()
	if err != nil {
		return nil, err
	}
	return serve.New(serve.Options{Sources: sources, Config: cfg, Log: a.log, StateDir: a.webStateDir(), Throttle: throttle, Contacts: contacts})
}

// webStateDir keeps the web sessions' key and revocations.
func (a *app) webStateDir() string { return filepath.Join(a.dataDir, "web") }

// sqlEndpoint builds the ClickHouse HTTP interface on s, or returns nil
// when the store cannot format results (a ClickHouse server has its own).
func (a *app) sqlEndpoint(ctx context.Context, s store.Store, cfg serve.Config, throttle *serve.Throttle, f serverFlags) (*http.Server, error) {
	if _, ok := s.(store.Formatter); !ok {
		a.log.Warn("SQL endpoint off: the store is a ClickHouse server; analysts connect to it directly")
		return nil, nil
	}
	verifier, err := cfg.NewVerifier(os.Getenv)
	if err != nil {
		return nil, err
	}
	var counties []string
	for _, c := range transform.XuchangCounties() {
		counties = append(counties, c.Code)
	}
	proxies, err := peer.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("[serve] trusted_proxies: %w", err)
	}
	h, err := chhttp.New(ctx, chhttp.Options{
		Store: s, Counties: counties, TimeZone: zone.Name, Log: a.log, Throttle: throttle, Proxies: proxies,
		Audit:          chhttp.StoreAudit(s, a.log.Warn),
		MaxResultBytes: f.sqlMaxBytes, MaxExecutionTime: f.sqlMaxTime, MaxMemoryUsage: queryMemory(f.sqlMaxMemory, f.sqlMaxQueriesAll),
		MaxThreads: f.sqlMaxThreads, WriteTimeout: f.sqlWriteTimeout, MaxHeldBytes: 2 * int64(f.sqlMaxBytes),
		MaxQueriesPerToken: f.sqlMaxQueries, MaxQueries: f.sqlMaxQueriesAll, QueueWait: f.sqlQueueWait,
		// Each request read, checked or waiting for its query slot holds
		// a few times its text (at most 256 KiB) and a decoder's window
		// (at most 16 MiB): 8 at once, 4 of one token, are at most about
		// 150 MB. The body has the web server's 15 s to arrive.
		MaxReadingPerToken: 4, MaxReading: 8, ReadTimeout: 15 * time.Second,
		Auth: func(token string) (string, string, bool) {
			name, scope, ok := verifier.Lookup(token)
			if !ok {
				return "", "", false
			}
			if scope.City() {
				return name, "", true
			}
			return name, scope.Code(), true
		},
	})
	if err != nil {
		return nil, err
	}
	// A query running when the daemon stops is cancelled at once, and its
	// client told why (QUERY_WAS_CANCELLED: the daemon is stopping); it
	// ran on until the store closed under it, and the connection dropped
	// with no answer.
	base, stopQueries := context.WithCancelCause(context.WithoutCancel(ctx))
	context.AfterFunc(ctx, func() { stopQueries(errDaemonStopping) })
	return &http.Server{Addr: f.sqlAddr, Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: netlimit.IdleTimeout, MaxHeaderBytes: 64 << 10,
		BaseContext: func(net.Listener) context.Context { return base }}, nil
}

// connLimiter bounds the connections of the listeners it opens (netlimit),
// logging the connections closed for a client over its bound at most once
// a minute: a flood would otherwise write a line for each.
func (a *app) connLimiter(lim netlimit.Limits) (*netlimit.Limiter, error) {
	var (
		mu     sync.Mutex
		last   time.Time
		closed int
	)
	var l *netlimit.Limiter
	lim.Refused = func(client netip.Addr) {
		mu.Lock()
		defer mu.Unlock()
		closed++
		if time.Since(last) < time.Minute {
			return
		}
		a.log.Warn("connections closed at once: a client holds its maximum ([serve] max_connections_per_client; list a reverse proxy in trusted_proxies)",
			"client", client, "max", l.PerClient(), "closed", closed)
		last, closed = time.Now(), 0
	}
	l, err := netlimit.New(lim)
	if err != nil {
		return nil, fmt.Errorf("[serve] max_connections, max_connections_per_client: %w", err)
	}
	a.log.Info("connections bounded", "max", l.Total(), "max_per_client", l.PerClient())
	return l, nil
}

// queryMemory is the memory bound of one analyst's query: given, or half
// the machine's memory shared by the queries that may run at once (the
// daemon, the nightly run and the engine's caches keep the other half).
func queryMemory(given uint64, atOnce int) uint64 {
	if given > 0 {
		return given
	}
	var info syscall.Sysinfo_t
	if err := syscall.Sysinfo(&info); err != nil || info.Totalram == 0 {
		return 2 << 30
	}
	return uint64(info.Totalram) * uint64(info.Unit) / 2 / uint64(max(atOnce, 2))
}

// errDaemonStopping is why the daemon cancels what still runs at its stop.
var errDaemonStopping = errors.New("the daemon is stopping; run it again once the daemon is back")
