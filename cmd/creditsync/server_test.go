package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/localapi"
)

const testCityToken = "city-token-for-the-daemon-test-0123456789"

// serveTOML gives the daemon's web pages a city token.
const serveTOML = `
[serve]
[[serve.tokens]]
name = "city bureau"
token_env = "CREDITSYNC_TOKEN_CITY"
scope = "city"
`

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// daemon is a `creditsync server` child process.
type daemon struct {
	cmd     *exec.Cmd
	addr    string
	sqlAddr string
	done    chan error
	log     *strings.Builder
}

// startDaemon runs the daemon on the site's data directory and waits for
// its local API to answer.
func startDaemon(t *testing.T, env []string, dataDir string, extra ...string) *daemon {
	t.Helper()
	d := &daemon{addr: freeAddr(t), sqlAddr: freeAddr(t), done: make(chan error, 1), log: &strings.Builder{}}
	args := append([]string{"server", "--addr", d.addr, "--sql-addr", d.sqlAddr, "--metrics-addr", ""}, extra...)
	d.cmd = exec.Command(binary, args...)
	d.cmd.Env = append(append(os.Environ(), env...), "CREDITSYNC_TOKEN_CITY="+testCityToken)
	pr, pw := io.Pipe()
	d.cmd.Stdout, d.cmd.Stderr = pw, pw
	var mu sync.Mutex
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := pr.Read(b)
			mu.Lock()
			d.log.Write(b[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			_ = d.cmd.Process.Kill()
			<-d.done
		}
	})
	for {
		select {
		case err := <-d.done:
			t.Fatalf("daemon exited before it was ready: %v\n%s", err, d.log.String())
		default:
		}
		if _, _, err := localapi.Dial(context.Background(), dataDir); err == nil {
			return d
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (d *daemon) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-d.done; err != nil {
		t.Errorf("daemon exit: %v\n%s", err, d.log.String())
	}
}

// The test: the daemon holds the embedded store while a CLI sql
// query, an import, a nightly run and 100 web requests all succeed at once.
func TestDaemonServesEveryoneAtOnce(t *testing.T) {
	t.Parallel()
	// The 100 web requests come from one address, 127.0.0.1: past its
	// connections of one client, the daemon closes the rest unanswered
	// (TestDaemonBoundsEachClientsConnections), so this test, of one
	// address as busy as many people, states a bound above 100 rather
	// than rely on the default.
	site := newNightlySite(t, strings.Replace(serveTOML, "[serve]\n", "[serve]\nmax_connections_per_client = 128\n", 1))
	d := startDaemon(t, site.env, site.dir)

	extra := filepath.Join("..", "..", "ingest", "file", "testdata", "institutions", "bad_rows.csv")
	var wg sync.WaitGroup
	results := map[string]result{}
	var mu sync.Mutex
	cli := func(name string, args ...string) {
		defer wg.Done()
		r := runCLI(t, site.env, args...)
		mu.Lock()
		results[name] = r
		mu.Unlock()
	}
	wg.Add(3)
	go cli("sql", "sql", "--format", "TSV", "SELECT count() > 0 FROM institutions")
	go cli("import", "import", "institutions", extra)
	go cli("nightly", "run", "nightly")

	var sqlOverHTTP string
	wg.Add(1)
	go func() {
		defer wg.Done()
		req, _ := http.NewRequest(http.MethodGet, "http://"+d.sqlAddr+"/?query=SELECT+count()+>+0+FROM+institutions", nil)
		req.Header.Set("X-ClickHouse-Key", testCityToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			sqlOverHTTP = err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sqlOverHTTP = resp.Status + " " + string(b)
	}()
	webErrs := make(chan error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := []string{"/api/me", "/api/institutions?q=人力", "/api/city/trend", "/healthz"}[i%4]
			req, _ := http.NewRequest(http.MethodGet, "http://"+d.addr+path, nil)
			req.Header.Set("Authorization", "Bearer "+testCityToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				webErrs <- err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				webErrs <- fmt.Errorf("GET %s: %s", path, resp.Status)
			}
		}()
	}
	wg.Wait()
	close(webErrs)
	for err := range webErrs {
		t.Error(err)
	}
	if sqlOverHTTP != "200 OK 1\n" {
		t.Errorf("SQL endpoint: %q", sqlOverHTTP)
	}
	if r := results["sql"]; r.code != 0 || r.stdout != "1\n" {
		t.Errorf("sql: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	// bad_rows.csv has rejected rows: exit 3, as without a daemon.
	// An import and a nightly run exclude each other by the jobs lease
	// (not by the engine); in the daemon the one that finds it taken
	// waits its turn, so both succeed.
	for _, name := range []string{"import", "nightly"} {
		r := results[name]
		switch {
		case name == "import" && (r.code != exitRejected || !strings.Contains(r.stdout, "bad_rows.csv:4: column 统一社会信用代码")):
			t.Errorf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		case name == "nightly" && (r.code != 0 || !strings.Contains(r.stdout, "nightly run ")):
			t.Errorf("run nightly: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	}
	for name, r := range results {
		if strings.Contains(r.stderr, "Code: 76") || strings.Contains(r.stderr, "in use by") {
			t.Errorf("%s met the engine lock: %s", name, r.stderr)
		}
	}

	// Errors keep their exit status through the daemon.
	if r := runCLI(t, site.env, "sql", "--format", "nonsense", "SELECT 1"); r.code != exitUsage {
		t.Errorf("bad format through the daemon: exit %d, %s", r.code, r.stderr)
	}
	if r := runCLI(t, site.env, "sql", "INSERT INTO institutions (uscc) VALUES ('x')"); r.code != exitFailure || !strings.Contains(r.stderr, "--write") {
		t.Errorf("insert through the daemon: exit %d, %s", r.code, r.stderr)
	}
	// The daemon's directory through a symlink (/var/lib/creditsync →
	// /srv/…) is the daemon's directory: forwarded, not refused as
	// another ("the daemon holds …, not …").
	link := filepath.Join(t.TempDir(), "data-link")
	if err := os.Symlink(site.dir, link); err != nil {
		t.Fatal(err)
	}
	var linked []string
	for _, kv := range site.env {
		if strings.HasPrefix(kv, "CREDITSYNC_DATA=") {
			kv = "CREDITSYNC_DATA=" + link
		}
		linked = append(linked, kv)
	}
	if r := runCLI(t, linked, "sql", "--format", "TSV", "SELECT count() > 0 FROM institutions"); r.code != 0 || r.stdout != "1\n" {
		t.Errorf("sql on the daemon's directory through a symlink: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
	// serve on its own would fight the daemon for the directory: refused
	// with who holds it.
	if r := runCLI(t, site.env, "serve"); r.code != exitFailure || !strings.Contains(r.stderr, "daemon (pid") {
		t.Errorf("serve next to the daemon: exit %d, %s", r.code, r.stderr)
	}
	d.stop(t)
	if _, err := os.Stat(localapi.SocketPath(site.dir)); !os.IsNotExist(err) {
		t.Errorf("socket left after shutdown: %v", err)
	}
	// The forwarded nightly run is in the daemon's journal step by step,
	// as a scheduled one is; the import's lines are the client's alone.
	journal := d.log.String()
	if !regexp.MustCompile(`msg="step finished".* forwarded=run`).MatchString(journal) || strings.Contains(journal, "bad_rows.csv") {
		t.Errorf("the daemon's journal lacks the forwarded run's steps, or holds the import's lines:\n%s", journal)
	}
	// Without the daemon the same command opens the store itself.
	if r := runCLI(t, site.env, "sql", "--format", "TSV", "SELECT count() > 0 FROM institutions"); r.code != 0 || r.stdout != "1\n" {
		t.Errorf("sql after the daemon stopped: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
}

// Ctrl-C on the client cancels the query running in the daemon.
func TestDaemonCancelsForwardedQuery(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"CREDITSYNC_DATA=" + dir, "CREDITSYNC_CONFIG=" + cfg}
	d := startDaemon(t, env, dir)
	cmd := exec.Command(binary, "sql", "SELECT count() FROM system.numbers WHERE sipHash64(number) = 7")
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the daemon runs it, then interrupt the client.
	for !strings.Contains(queries(t, env), "sipHash64") {
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Fatalf("client exit: %v, want %d", err, exitInterrupted)
	}
	for strings.Contains(queries(t, env), "sipHash64") {
		time.Sleep(50 * time.Millisecond) // killed in the daemon, or this never ends
	}
	d.stop(t)
}

// queries lists what the engine runs now (other than this question).
func queries(t *testing.T, env []string) string {
	t.Helper()
	r := runCLI(t, env, "sql", "--format", "TSV", "SELECT query FROM system.processes WHERE query NOT LIKE '%system.processes%'")
	if r.code != 0 {
		t.Fatalf("list queries: %s", r.stderr)
	}
	return r.stdout
}

// A process other than the daemon holding the directory is named, and the
// engine's own lock message never reaches the terminal.
func TestBusyDirectorySaysWho(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, []byte(serveTOML), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"CREDITSYNC_DATA=" + dir, "CREDITSYNC_CONFIG=" + cfg, "CREDITSYNC_TOKEN_CITY=" + testCityToken}
	addr := freeAddr(t)
	holder := exec.Command(binary, "serve", "--addr", addr)
	holder.Env = append(os.Environ(), env...)
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill(); _ = holder.Wait() })
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	r := runCLI(t, env, "sql", "SELECT 1")
	if r.code != exitFailure || strings.Contains(r.stderr, "Code: 76") || !strings.Contains(r.stderr, "in use by pid") || !strings.Contains(r.stderr, "serve") {
		t.Errorf("sql beside serve: exit %d\n%s", r.code, r.stderr)
	}
}

// slowForwardedNightly starts a daemon and a `run nightly` sent to it,
// and returns once the run's sync asks the slow source for its first
// page: a stop then comes while a step runs.
func slowForwardedNightly(t *testing.T) (d *daemon, cmd *exec.Cmd, out, errOut *strings.Builder) {
	t.Helper()
	site := newNightlySite(t, "")
	site.fx.Inject(fixture.Penalties, fixture.Fault{Kind: fixture.Slow, Delay: 1500 * time.Millisecond, Times: 1})
	d = startDaemon(t, site.env, site.dir)
	cmd = exec.Command(binary, "run", "nightly")
	cmd.Env = append(os.Environ(), site.env...)
	out, errOut = &strings.Builder{}, &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for site.fx.Requests(fixture.Penalties) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	return d, cmd, out, errOut
}

// endedInterrupted checks a stopped `run nightly`: exit 130, the sync it
// was in finished, the rest skipped, and nothing failed in the daemon's
// log (what names the stop).
func endedInterrupted(t *testing.T, d *daemon, cmd *exec.Cmd, out, errOut *strings.Builder, what string) {
	t.Helper()
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
		t.Errorf("run nightly: %v, want exit %d\n%s%s", err, exitInterrupted, out.String(), errOut.String())
	}
	report := out.String()
	if !strings.Contains(report, ": interrupted (") || !regexp.MustCompile(`(?m)^  sync +ok `).MatchString(report) ||
		!regexp.MustCompile(`(?m)^  regrade +skipped `).MatchString(report) {
		t.Errorf("run nightly's report:\n%s%s", report, errOut.String())
	}
	if log := d.log.String(); strings.Contains(log, "context canceled") || strings.Contains(log, "level=ERROR") {
		t.Errorf("%s failed the run:\n%s", what, log)
	}
}

// SIGTERM while a `run nightly` sent by the CLI syncs from a slow source:
// the sync finishes, no later step starts, the run ends interrupted (exit
// 130 at the client, no failure in the daemon's log), and the daemon then
// exits cleanly.
func TestDaemonStopLetsTheRunningStepFinish(t *testing.T) {
	t.Parallel()
	d, cmd, out, errOut := slowForwardedNightly(t)
	d.stop(t)
	endedInterrupted(t, d, cmd, out, errOut, "the stop")
}

// Ctrl-C at a `run nightly` sent to the daemon does what it does without
// one: the sync in progress finishes, the rest is skipped, the run ends
// interrupted with exit 130 ("same output, same exit status"). It
// cancelled the step at once (context canceled, the source recorded
// failed). The daemon goes on.
func TestForwardedRunStopsGracefullyOnCtrlC(t *testing.T) {
	t.Parallel()
	d, cmd, out, errOut := slowForwardedNightly(t)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	endedInterrupted(t, d, cmd, out, errOut, "Ctrl-C")
	d.stop(t)
}

// A daemon killed (kill -9) during a run left the run and its step
// "running" in status until the next run. status without a daemon shows
// them died — nobody holds the jobs lease — and the daemon, as it starts
// again, records them interrupted and logs that it did.
func TestRunOfAKilledDaemon(t *testing.T) {
	t.Parallel()
	site := newNightlySite(t, "")
	site.fx.Inject(fixture.Penalties, fixture.Fault{Kind: fixture.Slow, Delay: 20 * time.Second, Times: 1})
	d := startDaemon(t, site.env, site.dir)
	cmd := exec.Command(binary, "run", "nightly")
	cmd.Env = append(os.Environ(), site.env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for site.fx.Requests(fixture.Penalties) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if err := d.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-d.done
	_ = cmd.Wait()
	jobsOf := func() string {
		t.Helper()
		r := runCLI(t, site.env, "status", "--section", "jobs", "--format", "csv")
		if r.code != 0 {
			t.Fatalf("status: exit %d\n%s", r.code, r.stderr)
		}
		return r.stdout
	}
	for _, want := range []string{`(?m)^nightly,\S+,0,\(run\),died,.*its process is gone`, `(?m)^nightly,\S+,1,sync,died,`} {
		if got := jobsOf(); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("status after the kill, want %s:\n%s", want, got)
		}
	}
	d = startDaemon(t, site.env, site.dir)
	if log := d.log.String(); !strings.Contains(log, "recovered what a process that died left") || !regexp.MustCompile(`recorded as interrupted the nightly run \S+ started [-0-9]+ [:0-9]+ CST, whose process died`).MatchString(log) {
		t.Errorf("the daemon's start does not say what it recovered:\n%s", log)
	}
	for _, want := range []string{`(?m)^nightly,\S+,0,\(run\),interrupted,`, `(?m)^nightly,\S+,1,sync,interrupted,`} {
		if got := jobsOf(); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("status after the restart, want %s:\n%s", want, got)
		}
	}
	d.stop(t)
}

// SIGHUP stops the daemon as SIGTERM does: logged, socket removed.
func TestDaemonStopsOnHangup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, []string{"CREDITSYNC_DATA=" + dir, "CREDITSYNC_CONFIG=" + cfg}, dir)
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if err := <-d.done; err != nil {
		t.Errorf("daemon exit on SIGHUP: %v\n%s", err, d.log.String())
	}
	if !strings.Contains(d.log.String(), `cause="hangup received"`) {
		t.Errorf("the stop's cause is not logged:\n%s", d.log.String())
	}
	if _, err := os.Stat(localapi.SocketPath(dir)); !os.IsNotExist(err) {
		t.Errorf("socket left after SIGHUP: %v", err)
	}
}

// A metrics address in use fails the start, as the other listeners do,
// instead of a daemon running without /metrics and /healthz.
func TestDaemonRefusesTakenMetricsAddress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	// Before the fix the daemon ran on: bounded, it is killed.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "server", "--addr", freeAddr(t), "--sql-addr", "", "--metrics-addr", taken.Addr().String())
	cmd.Env = append(os.Environ(), "CREDITSYNC_DATA="+dir, "CREDITSYNC_CONFIG="+cfg)
	var r result
	var err2 error
	if r.stdout, r.stderr, r.code, err2 = runCommand(cmd); err2 != nil {
		t.Fatal(err2)
	}
	if r.code != exitFailure || !strings.Contains(r.stderr, "metrics and /healthz on "+taken.Addr().String()) || !strings.Contains(r.stderr, "address already in use") {
		t.Errorf("server on a taken metrics port: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(localapi.SocketPath(dir)); !os.IsNotExist(err) {
		t.Errorf("socket left after the failed start: %v", err)
	}
}

// A mistake anywhere in the configuration stops the daemon's start, named
// with its file and key: a misspelt [[source]] key started a daemon
// "ready" whose every sync then failed, and a misspelt [serve] key only
// turned the web pages and the SQL endpoint off with a warning.
func TestDaemonRefusesAMistakeInItsConfig(t *testing.T) {
	t.Parallel()
	source := "[[source]]\nname = \"pen\"\npreset = \"gsxt_penalties\"\nurl = \"http://127.0.0.1:9/api\"\ntoken_env = \"CREDITSYNC_GSXT_TOKEN\"\n"
	for _, c := range []struct {
		name, config, want string
	}{
		{"a misspelt source key", serveTOML + source + "retires = 0\n", "source.retires at line 12 (did you mean retries?)"},
		{"a misspelt serve key", strings.Replace(serveTOML, "[serve]\n", "[serve]\ntrusted_proxy = [\"127.0.0.1\"]\n", 1), "serve.trusted_proxy at line 3 (did you mean trusted_proxies?)"},
		{"a misspelt token key", strings.Replace(serveTOML, "token_env", "token", 1), "serve.tokens.token at line 5 (did you mean token_env or token_sha256?)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "creditsync.toml")
			if err := os.WriteFile(cfg, []byte(c.config), 0o600); err != nil {
				t.Fatal(err)
			}
			// Before the fix the daemon ran on: bounded, it is killed.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, "server", "--addr", freeAddr(t), "--sql-addr", "", "--metrics-addr", "")
			cmd.Env = append(os.Environ(), "CREDITSYNC_DATA="+dir, "CREDITSYNC_CONFIG="+cfg, "CREDITSYNC_TOKEN_CITY="+testCityToken)
			var r result
			var err error
			if r.stdout, r.stderr, r.code, err = runCommand(cmd); err != nil {
				t.Fatal(err)
			}
			if r.code != exitFailure || !strings.Contains(r.stderr, "config "+cfg+": unknown key(s) "+c.want) || strings.Contains(r.stderr, "daemon ready") {
				t.Errorf("server with %s: exit %d\n%s", c.name, r.code, r.stderr)
			}
		})
	}
}

// CREDITSYNC_RULES of the person's shell holds inside the daemon as it
// does without one (a regrade through the daemon used the daemon's rules
// and succeeded on a file that does not exist), and --help does not print
// its value.
func TestDaemonHonoursTheCallersRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"CREDITSYNC_DATA=" + dir, "CREDITSYNC_CONFIG=" + cfg}
	missing := filepath.Join(dir, "no-such-rules.toml")
	d := startDaemon(t, env, dir)
	r := runCLI(t, append(env, "CREDITSYNC_RULES="+missing), "regrade")
	if r.code != exitFailure || !strings.Contains(r.stderr, "no-such-rules.toml") {
		t.Errorf("regrade with missing rules through the daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, append(env, "CREDITSYNC_RULES="+missing), "regrade", "--help"); strings.Contains(r.stdout, missing) {
		t.Errorf("--help shows the variable's value:\n%s", r.stdout)
	}
	d.stop(t)
}

// SIGTERM while a job's step runs: until the daemon has let go of the
// data directory, a command sent to it hears that the daemon is stopping
// and which step it is finishing. The socket went with the stop's start,
// and the command, finding no daemon, opened the directory itself: "in
// use by pid N", with a hint about a starting daemon. (The name is short:
// the daemon's socket lies under t.TempDir(), which holds it, and a Unix
// socket's path may not pass 107 bytes.)
func TestCommandsDuringTheStop(t *testing.T) {
	t.Parallel()
	site := newNightlySite(t, "")
	// A sync that answers only when the stop cancels it (below).
	site.fx.Inject(fixture.Penalties, fixture.Fault{Kind: fixture.Slow, Delay: time.Hour, Times: 1})
	d := startDaemon(t, site.env, site.dir)
	run := exec.Command(binary, "run", "nightly")
	run.Env = append(os.Environ(), site.env...)
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	for site.fx.Requests(fixture.Penalties) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Answered by the daemon until it has taken the signal.
	r := runCLI(t, site.env, "grades", "--on", "2026-12-07")
	for r.code == 0 {
		r = runCLI(t, site.env, "grades", "--on", "2026-12-07")
	}
	if r.code != exitFailure || !strings.Contains(r.stderr, "stopping (finishing step sync of nightly), it takes no new commands: run this one again once it has stopped") ||
		strings.Contains(r.stderr, "in use by") {
		t.Errorf("grades during the stop: exit %d\n%s", r.code, r.stderr)
	}
	// A second signal cancels the step; the daemon then exits.
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-d.done
	_ = run.Wait()
}

// A command run while a daemon starts — it holds the data directory's
// owner file, and is still opening the engine — names it: it met a bare
// "chdb_connect failed" with a generic hint, or won the engine and made
// the daemon exit. Here the test's process holds the owner file as the
// starting daemon does.
func TestCommandDuringTheDaemonsStartSaysWho(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := os.OpenFile(filepath.Join(dir, "clickhouse.owner"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`pid 4242 on host, "creditsync server", since 2026-12-07T10:00:00Z`); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, []string{"CREDITSYNC_DATA=" + dir}, "init")
	if r.code != exitFailure || !strings.Contains(r.stderr, `the data directory is in use by pid 4242 on host, "creditsync server"`) ||
		!strings.Contains(r.stderr, "a starting `creditsync server` daemon takes a few seconds") || strings.Contains(r.stderr, "chdb_connect") {
		t.Errorf("init while the daemon starts: exit %d\n%s", r.code, r.stderr)
	}
}

// An analyst's query running when the daemon stops is cancelled at once
// and answered as cancelled, saying why: it ran on until the store
// closed under it, and the client got a dropped connection, no answer.
func TestDaemonStopCancelsRunningSQLWithAnAnswer(t *testing.T) {
	t.Parallel()
	site := newNightlySite(t, serveTOML)
	d := startDaemon(t, site.env, site.dir)
	type reply struct {
		status int
		code   string
		body   string
		err    error
	}
	done := make(chan reply, 1)
	go func() {
		// Minutes of work: it is still running when the stop comes.
		q := "SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 0"
		req, _ := http.NewRequest(http.MethodPost, "http://"+d.sqlAddr+"/", strings.NewReader(q))
		req.Header.Set("X-ClickHouse-Key", testCityToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- reply{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- reply{status: resp.StatusCode, code: resp.Header.Get("X-ClickHouse-Exception-Code"), body: string(b)}
	}()
	time.Sleep(2 * time.Second) // a wait, not a measure: the query is admitted and running
	d.stop(t)
	r := <-done
	if r.err != nil || r.code != "394" || !strings.Contains(r.body, "the daemon is stopping") {
		t.Errorf("query running at the stop: %d %q %q (%v); want QUERY_WAS_CANCELLED (394) saying the daemon is stopping", r.status, r.code, r.body, r.err)
	}
}

// sqlattack10 D1: 20,000 idle keep-alive connections with no token
// (/ping needs none) took every file descriptor of the daemon, which the
// engine shares. Now one client address holding its maximum (1 here) on
// one port gets no further connection on any port of the daemon, each
// closed unanswered, while a token from another address is still served.
func TestDaemonBoundsEachClientsConnections(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	config := strings.Replace(serveTOML, "[serve]\n", "[serve]\nmax_connections_per_client = 1\n", 1)
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"CREDITSYNC_DATA=" + dir, "CREDITSYNC_CONFIG=" + cfg}
	metricsAddr := freeAddr(t)
	d := startDaemon(t, env, dir, "--metrics-addr", metricsAddr)

	// get asks path on c and reads the answer, whatever its status.
	get := func(c net.Conn, path string) error {
		c.SetDeadline(time.Now().Add(time.Minute))
		if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	// Every 127.0.0.0/8 address is the machine's own: 127.0.0.2 is a
	// client other than the test's own 127.0.0.1.
	dial := func(addr string) net.Conn {
		t.Helper()
		dl := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: time.Minute}
		c, err := dl.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	hold := dial(d.sqlAddr)
	if err := get(hold, "/ping"); err != nil {
		t.Fatalf("the first connection from 127.0.0.2: %v", err)
	}
	for _, p := range []struct{ name, addr, path string }{
		{"SQL endpoint", d.sqlAddr, "/ping"},
		{"web pages", d.addr, "/login"},
		{"metrics", metricsAddr, "/metrics"},
	} {
		var ne net.Error
		switch err := get(dial(p.addr), p.path); {
		case err == nil:
			t.Errorf("%s: a second connection from 127.0.0.2 was answered; its maximum is 1", p.name)
		case errors.As(err, &ne) && ne.Timeout():
			t.Errorf("%s: a second connection from 127.0.0.2 was left waiting, not closed: %v", p.name, err)
		}
	}
	// The first connection was held throughout: it still answers.
	if err := get(hold, "/ping"); err != nil {
		t.Fatalf("the held connection was closed during the test (a stall longer than the idle timeout?): %v", err)
	}

	req, _ := http.NewRequest(http.MethodGet, "http://"+d.sqlAddr+"/?query=SELECT+1", nil)
	req.Header.Set("X-ClickHouse-Key", testCityToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("a token's query from 127.0.0.1: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "1\n" {
		t.Errorf("a token's query from 127.0.0.1: %s %q", resp.Status, b)
	}
	d.stop(t)
	if log := d.log.String(); !strings.Contains(log, "connections closed at once") || !strings.Contains(log, "client=127.0.0.2") {
		t.Errorf("the daemon's log does not say it closed 127.0.0.2's connections:\n%s", log)
	}
}

// A connection bound that would leave the engine no descriptors, or a
// negative one, fails the daemon's start as any mistake in its
// configuration does.
func TestDaemonRefusesWrongConnectionBounds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ key, want string }{
		{"max_connections = -1", "must not be negative"},
		{"max_connections_per_client = -5", "must not be negative"},
		{"max_connections = 100000000", "file descriptors"},
	} {
		t.Run(c.key, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "creditsync.toml")
			if err := os.WriteFile(cfg, []byte(strings.Replace(serveTOML, "[serve]\n", "[serve]\n"+c.key+"\n", 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, "server", "--addr", freeAddr(t), "--sql-addr", "", "--metrics-addr", "")
			cmd.Env = append(os.Environ(), "CREDITSYNC_DATA="+dir, "CREDITSYNC_CONFIG="+cfg, "CREDITSYNC_TOKEN_CITY="+testCityToken)
			var r result
			var err error
			if r.stdout, r.stderr, r.code, err = runCommand(cmd); err != nil {
				t.Fatal(err)
			}
			if r.code != exitFailure || !strings.Contains(r.stderr, "max_connections") || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "daemon ready") {
				t.Errorf("server with %s: exit %d\n%s", c.key, r.code, r.stderr)
			}
		})
	}
}
