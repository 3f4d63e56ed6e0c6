package localapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// echo is a runner that prints its arguments and standard input and exits
// with the status named by its first argument.
func echo(ctx context.Context, args []string, _ map[string]string, stdin []byte, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "args=%s\n", strings.Join(args, " "))
	stdout.Write(bytes.Repeat([]byte("x"), 3<<20)) // more than one frame
	fmt.Fprintf(stderr, "stdin=%s\n", stdin)
	code := 0
	fmt.Sscan(args[0], &code)
	return code
}

func serveAPI(t *testing.T, dir string, run Runner) *Server {
	t.Helper()
	ln, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(run, Info{PID: 42, Started: time.Now(), Command: "creditsync server"}, func(context.Context) error { return nil })
	srv := &http.Server{Handler: s.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func TestExecCarriesOutputAndStatus(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Dial(context.Background(), dir); !errors.Is(err, ErrNoDaemon) {
		t.Fatalf("no daemon yet: %v", err)
	}
	s := serveAPI(t, dir, echo)
	for path, want := range map[string]os.FileMode{SocketPath(dir): 0o600, filepath.Dir(SocketPath(dir)): 0o700} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
	c, info, err := Dial(context.Background(), dir)
	if err != nil || info.PID != 42 {
		t.Fatalf("dial: %+v, %v", info, err)
	}
	var out, errOut bytes.Buffer
	code, err := c.Exec(context.Background(), context.Background(), []string{"3", "import", "x.csv"}, nil, []byte("SELECT 1"), &out, &errOut)
	if err != nil || code != 3 {
		t.Fatalf("exec: %d, %v", code, err)
	}
	if !strings.HasPrefix(out.String(), "args=3 import x.csv\n") || out.Len() != len("args=3 import x.csv\n")+3<<20 || errOut.String() != "stdin=SELECT 1\n" {
		t.Errorf("stdout %d bytes starting %.30q, stderr %q", out.Len(), out.String(), errOut.String())
	}
	// A second daemon cannot take the socket.
	if _, err := Listen(dir); err == nil {
		t.Error("a second listener took the socket of a running daemon")
	}
	// Stopping: new commands are turned away, saying what the daemon is
	// finishing.
	s.Refuse(func() string { return "finishing step sync of nightly" })
	if _, err := c.Exec(context.Background(), context.Background(), []string{"0"}, nil, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "stopping (finishing step sync of nightly), it takes no new commands") {
		t.Errorf("exec while shutting down: %v", err)
	}
}

// A socket left by a daemon that died is no daemon, and is replaced.
func TestStaleSocket(t *testing.T) {
	dir := t.TempDir()
	ln, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	ln.(interface{ SetUnlinkOnClose(bool) }).SetUnlinkOnClose(false)
	ln.Close()
	if _, _, err := Dial(context.Background(), dir); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("dial a dead socket: %v", err)
	}
	serveAPI(t, dir, echo)
	if _, _, err := Dial(context.Background(), dir); err != nil {
		t.Errorf("dial after the socket was replaced: %v", err)
	}
}

// A daemon that goes away under a running command (stopped, crashed)
// leaves its client saying that the outcome is unknown and how to find
// it out, not a bare EOF.
func TestDaemonGoneMidCommand(t *testing.T) {
	dir := t.TempDir()
	ln, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	run := func(ctx context.Context, _ []string, _ map[string]string, _ []byte, stdout, _ io.Writer) int {
		close(started)
		<-ctx.Done()
		return 0
	}
	srv := &http.Server{Handler: NewServer(run, Info{PID: 42}, func(context.Context) error { return nil }).Handler()}
	go srv.Serve(ln)
	c, _, err := Dial(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		<-started
		srv.Close() // as the daemon's process ending closes its connections
	}()
	var out, errOut bytes.Buffer
	_, err = c.Exec(context.Background(), context.Background(), []string{"import", "x.csv"}, nil, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "before the command ended") || !strings.Contains(err.Error(), "creditsync status") {
		t.Errorf("the daemon gone mid-command: %v", err)
	}
}

// A data directory whose socket path passes the kernel's limit is named
// with the limit, not the kernel's "bind: invalid argument".
func TestSocketPathTooLong(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	_, err := Listen(dir)
	if err == nil || !strings.Contains(err.Error(), "at most 107") || !strings.Contains(err.Error(), "shorter path") {
		t.Errorf("listen under a %d-byte directory: %v, want the limit named", len(dir), err)
	}
}

// The client's first Ctrl-C (stop) reaches the command as a graceful
// stop — StopRequested ends, its own context does not, and it goes on
// to print and exit as it chooses; the second (ctx) drops it. A
// forwarded `run nightly` was cancelled mid-step by the first.
func TestExecStopsGracefully(t *testing.T) {
	dir := t.TempDir()
	started := make(chan struct{})
	run := func(ctx context.Context, _ []string, _ map[string]string, _ []byte, stdout, _ io.Writer) int {
		close(started)
		stop := StopRequested(ctx)
		select {
		case <-stop.Done():
		case <-ctx.Done():
			return 1
		}
		if ctx.Err() != nil {
			return 1
		}
		fmt.Fprintf(stdout, "stopped gracefully: %v\n", context.Cause(stop))
		return 130
	}
	serveAPI(t, dir, run)
	c, _, err := Dial(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	stop, stopNow := context.WithCancelCause(context.Background())
	go func() {
		<-started
		stopNow(errors.New("interrupt received"))
	}()
	var out, errOut bytes.Buffer
	code, err := c.Exec(context.Background(), stop, []string{"run", "nightly"}, nil, nil, &out, &errOut)
	if err != nil || code != 130 || out.String() != "stopped gracefully: interrupt received\n" {
		t.Errorf("exec stopped: %d, %v, %q", code, err, out.String())
	}
}

// Arguments and environment values reach the daemon byte for byte: a
// file name in GBK (as unzip leaves names) is not valid UTF-8, and sent
// as a JSON string it arrived with U+FFFD for its bytes, naming no file.
func TestExecCarriesBytesThatAreNotUTF8(t *testing.T) {
	dir := t.TempDir()
	var gotArgs []string
	var gotEnv map[string]string
	serveAPI(t, dir, func(_ context.Context, args []string, env map[string]string, _ []byte, _, _ io.Writer) int {
		gotArgs, gotEnv = args, env
		return 0
	})
	c, _, err := Dial(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	gbk := "/srv/in/\xbb\xfa\xb9\xb9.csv" // 机构 in GBK
	args := []string{"import", "institutions", gbk}
	env := map[string]string{"CREDITSYNC_USCC_ALLOWLIST": "/srv/\xd4\xca\xd0\xed.txt"}
	if code, err := c.Exec(context.Background(), context.Background(), args, env, nil, io.Discard, io.Discard); err != nil || code != 0 {
		t.Fatalf("exec: %d, %v", code, err)
	}
	if strings.Join(gotArgs, "\x00") != strings.Join(args, "\x00") || gotEnv["CREDITSYNC_USCC_ALLOWLIST"] != env["CREDITSYNC_USCC_ALLOWLIST"] {
		t.Errorf("the daemon got args %q, env %q; want %q, %q", gotArgs, gotEnv, args, env)
	}
}
