// Package localapi lets the command line hand its work to the daemon that
// owns a data directory: plain HTTP over a Unix socket inside the data
// directory (a directory only its owner can enter, a socket only its
// owner can open), never on the network.
//
// A command is sent as its arguments (and, for sql, the query read from
// standard input); the daemon runs it in-process on the store it holds and
// streams the command's standard output and error back in frames, then its
// exit status, so the terminal sees what the command would have printed.
package localapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/xuchang-hrss/creditsync/zone"
)

// SocketPath is where the daemon of dataDir listens.
func SocketPath(dataDir string) string {
	return filepath.Join(dataDir, "daemon", "api.sock")
}

// Runner runs one command line in the daemon and returns its exit status.
// env holds the variables of the person's environment that a command
// reads (CREDITSYNC_RULES): the daemon's own would be someone else's.
type Runner func(ctx context.Context, args []string, env map[string]string, stdin []byte, stdout, stderr io.Writer) int

// Info describes a running daemon, for messages ("who holds the data").
type Info struct {
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Command string    `json:"command"`
	WebAddr string    `json:"web_addr,omitempty"`
	SQLAddr string    `json:"sql_addr,omitempty"`
}

func (i Info) String() string {
	s := fmt.Sprintf("the creditsync daemon (pid %d, %q, since %s)", i.PID, i.Command, zone.Stamp(i.Started))
	return s
}

// Frame kinds on the wire.
const (
	frameStdout = 'o'
	frameStderr = 'e'
	frameExit   = 'x'
)

// maxRequest bounds an exec request (arguments and an sql script).
const maxRequest = 64 << 20

// execRequest is a command for the daemon. Arguments and environment
// values travel as bytes (base64 in the JSON), not JSON strings: a JSON
// string holds only UTF-8, and encoding/json writes invalid bytes as
// U+FFFD, so a file name in GBK (as unzip leaves names) reached the
// daemon as another name, and the command ran differently than without
// a daemon. (v2: a v1 daemon would read these fields as text.)
type execRequest struct {
	// ID names the command for a later stop request (POST /v1/stop).
	ID    string            `json:"id,omitempty"`
	Args  [][]byte          `json:"args"`
	Env   map[string][]byte `json:"env,omitempty"`
	Stdin []byte            `json:"stdin,omitempty"`
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func fromBytes(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

type stopRequest struct {
	ID    string `json:"id"`
	Cause string `json:"cause"`
}

type stopKey struct{}

// StopRequested is the context a command sent by the CLI runs under
// that ends when the person asked it to stop (their first Ctrl-C): a
// graceful stop, which a job run meets as it meets the daemon's own —
// the running step finishes, the rest is skipped. The command's own
// context ends only when the client goes away (a second Ctrl-C). Outside
// the local API it never ends.
func StopRequested(ctx context.Context) context.Context {
	if stop, ok := ctx.Value(stopKey{}).(context.Context); ok {
		return stop
	}
	return context.Background()
}

// Server answers the local API.
type Server struct {
	run    Runner
	info   Info
	health func(context.Context) error

	mu sync.Mutex
	// doing is set once the daemon stops (Refuse): it names what the
	// daemon is finishing, for the commands turned away.
	doing func() string
	// execs are the commands admitted, which Drain waits for.
	execs sync.WaitGroup
	// stops are the commands running by their ID, for POST /v1/stop.
	stops map[string]context.CancelCauseFunc
}

// NewServer returns the handler side. Commands run with a context that
// ends when the client goes away; how the daemon's own stop reaches them
// (at once, or after a job's running step) is run's to decide.
func NewServer(run Runner, info Info, health func(context.Context) error) *Server {
	return &Server{run: run, info: info, health: health}
}

// Refuse makes the server turn new commands away: the daemon is
// stopping. doing names what it is finishing ("finishing step sync of
// nightly"; "" when nothing is named), asked afresh for each command
// turned away. The socket is to stay open until the daemon has let go of
// the data directory: a command sent meanwhile then hears that the daemon
// is stopping, not — finding no daemon and opening the directory itself —
// that another process holds it.
func (s *Server) Refuse(doing func() string) {
	if doing == nil {
		doing = func() string { return "" }
	}
	s.mu.Lock()
	s.doing = doing
	s.mu.Unlock()
}

// Drain waits, after Refuse, for the commands admitted before it to end,
// or for ctx to end.
func (s *Server) Drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.execs.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// admit counts a command in, unless the daemon is stopping: then it
// returns what to answer instead.
func (s *Server) admit() (refusal string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.doing == nil {
		s.execs.Add(1)
		return "", true
	}
	msg := "stopping"
	if d := s.doing(); d != "" {
		msg += " (" + d + ")"
	}
	return msg + ", it takes no new commands: run this one again once it has stopped", false
}

// Handler routes the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/exec", s.exec)
	mux.HandleFunc("POST /v1/stop", s.stop)
	mux.HandleFunc("GET /v1/info", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.info)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := s.health(r.Context()); err != nil {
			http.Error(w, "unhealthy: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

func (s *Server) exec(w http.ResponseWriter, r *http.Request) {
	refusal, ok := s.admit()
	if !ok {
		http.Error(w, refusal, http.StatusServiceUnavailable)
		return
	}
	defer s.execs.Done()
	var req execRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, maxRequest)).Decode(&req); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if req.ID != "" {
		stop, cancelStop := context.WithCancelCause(context.Background())
		defer cancelStop(nil)
		s.mu.Lock()
		if s.stops == nil {
			s.stops = map[string]context.CancelCauseFunc{}
		}
		s.stops[req.ID] = cancelStop
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.stops, req.ID)
			s.mu.Unlock()
		}()
		ctx = context.WithValue(ctx, stopKey{}, context.Context(stop))
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	fw := &frames{w: w}
	fw.flusher, _ = w.(http.Flusher)
	if fw.flusher != nil {
		// The client knows the command began: a daemon that goes away
		// before its first output left it started, not refused.
		fw.flusher.Flush()
	}
	env := make(map[string]string, len(req.Env))
	for k, v := range req.Env {
		env[k] = string(v)
	}
	code := s.run(ctx, fromBytes(req.Args), env, req.Stdin, fw.stream(frameStdout), fw.stream(frameStderr))
	_ = fw.frame(frameExit, []byte(strconv.Itoa(code)))
}

// stop asks the command of an ID to stop gracefully (StopRequested).
func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	var req stopRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	cancel, ok := s.stops[req.ID]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "no such command running", http.StatusNotFound)
		return
	}
	cancel(errors.New(req.Cause))
	w.WriteHeader(http.StatusNoContent)
}

// frames writes length-prefixed frames; stdout and stderr share it.
type frames struct {
	mu      sync.Mutex
	w       io.Writer
	flusher http.Flusher
}

func (f *frames) frame(kind byte, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var head [5]byte
	head[0] = kind
	binary.BigEndian.PutUint32(head[1:], uint32(len(p)))
	if _, err := f.w.Write(head[:]); err != nil {
		return err
	}
	if _, err := f.w.Write(p); err != nil {
		return err
	}
	if f.flusher != nil {
		f.flusher.Flush()
	}
	return nil
}

type frameStream struct {
	f    *frames
	kind byte
}

func (s frameStream) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n := min(len(p)-written, 1<<20)
		if err := s.f.frame(s.kind, p[written:written+n]); err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

func (f *frames) stream(kind byte) io.Writer { return frameStream{f: f, kind: kind} }

// Listen opens the socket of dataDir: its directory is made the owner's
// alone (0700) and the socket 0600. A socket left by a daemon that died is
// replaced; one that answers means a daemon is running.
func Listen(dataDir string) (net.Listener, error) {
	path := SocketPath(dataDir)
	if len(path) > maxSocketPath {
		// The kernel's limit (sun_path), which net.Listen reports as
		// "bind: invalid argument" without a word about the length.
		return nil, fmt.Errorf("local API: the socket's path %s is %d bytes, and a Unix socket's may have at most %d: give the data directory a shorter path", path, len(path), maxSocketPath)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("local API: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("local API: %w", err)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("local API: a daemon already listens on %s", path)
	}
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("local API on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("local API: %w", err)
	}
	return ln, nil
}

// maxSocketPath is the longest path a Unix socket may have on Linux
// (sun_path holds 108 bytes with the terminating NUL).
const maxSocketPath = 107

// Client talks to the daemon of one data directory.
type Client struct {
	http *http.Client
	path string
}

// ErrNoDaemon means no daemon answers for the data directory.
var ErrNoDaemon = errors.New("no daemon runs on this data directory")

// Dial returns a client when a daemon answers on dataDir's socket.
func Dial(ctx context.Context, dataDir string) (*Client, Info, error) {
	path := SocketPath(dataDir)
	if _, err := os.Stat(path); err != nil {
		return nil, Info{}, ErrNoDaemon
	}
	c := &Client{path: path, http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		DisableCompression: true,
	}}}
	ictx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ictx, http.MethodGet, "http://daemon/v1/info", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, Info{}, ErrNoDaemon // a socket left by a daemon that died
	}
	defer resp.Body.Close()
	var info Info
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return nil, Info{}, fmt.Errorf("daemon on %s: %w", path, err)
	}
	return c, info, nil
}

// outcomeUnknown is what a client can say of a command whose daemon went
// away under it: each batch and run is written whole or not at all, but
// whether this one got that far, the client cannot tell.
const outcomeUnknown = "whether the command ran, and how far, is unknown; each import batch and job run is stored whole or not at all, so check with `creditsync status` (and the daemon's journal) before running it again"

// sendStop asks the daemon to stop a command gracefully; a command that
// has just ended is no longer there to stop, which is no error.
func (c *Client) sendStop(ctx context.Context, stop stopRequest) {
	body, _ := json.Marshal(stop)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://daemon/v1/stop", bytes.NewReader(body))
	if err != nil {
		return
	}
	if resp, err := c.http.Do(req); err == nil {
		resp.Body.Close()
	}
}

// Exec runs args in the daemon, copying its output to stdout and stderr,
// and returns the command's exit status. ctx ending drops the command at
// once (the daemon cancels it); stop ending asks it to stop gracefully
// and goes on reading what it prints until it ends (StopRequested), as
// the person's first Ctrl-C does to a command run without a daemon.
func (c *Client) Exec(ctx, stop context.Context, args []string, env map[string]string, stdin []byte, stdout, stderr io.Writer) (int, error) {
	var id [12]byte
	_, _ = rand.Read(id[:])
	execID := hex.EncodeToString(id[:])
	envBytes := make(map[string][]byte, len(env))
	for k, v := range env {
		envBytes[k] = []byte(v)
	}
	body, err := json.Marshal(execRequest{ID: execID, Args: toBytes(args), Env: envBytes, Stdin: stdin})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://daemon/v2/exec", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	started, done := make(chan struct{}), make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-stop.Done():
		case <-done:
			return
		}
		// Once the daemon has the command (its answer's header): a stop
		// sent before would find no command of this ID.
		select {
		case <-started:
		case <-done:
			return
		}
		cause := "stopped"
		if err := context.Cause(stop); err != nil {
			cause = err.Error()
		}
		c.sendStop(ctx, stopRequest{ID: execID, Cause: cause})
	}()
	resp, err := c.http.Do(req)
	if err == nil {
		close(started)
	}
	if err != nil {
		if ctx.Err() == nil && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)) {
			return 0, fmt.Errorf("the daemon on %s closed the connection (it stopped or crashed) before it answered: %s (%w)", c.path, outcomeUnknown, err)
		}
		return 0, fmt.Errorf("daemon on %s: %w", c.path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if resp.StatusCode == http.StatusServiceUnavailable {
			// The daemon stopping says so itself (Refuse).
			return 0, errors.New(string(bytes.TrimSpace(msg)))
		}
		return 0, fmt.Errorf("daemon: %s", bytes.TrimSpace(msg))
	}
	br := bufio.NewReaderSize(resp.Body, 1<<16)
	var head [5]byte
	for {
		if _, err := io.ReadFull(br, head[:]); err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, fmt.Errorf("the daemon closed the connection before the command ended (it stopped or crashed): %s (%w)", outcomeUnknown, err)
		}
		n := binary.BigEndian.Uint32(head[1:])
		switch head[0] {
		case frameStdout, frameStderr:
			dst := stdout
			if head[0] == frameStderr {
				dst = stderr
			}
			if _, err := io.CopyN(dst, br, int64(n)); err != nil {
				return 0, err
			}
		case frameExit:
			b := make([]byte, n)
			if _, err := io.ReadFull(br, b); err != nil {
				return 0, err
			}
			return strconv.Atoi(string(b))
		default:
			return 0, fmt.Errorf("daemon sent an unknown frame %q", head[0])
		}
	}
}
