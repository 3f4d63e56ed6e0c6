package embedded_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/store/embedded"
)

// panicEnv makes the test binary, re-executed by TestPanicCrashes, open
// the engine and then fault.
const panicEnv = "CREDITSYNC_TEST_PANIC_DIR"

// TestPanicCrashes: libchdb installs its own SIGSEGV handler, which would
// swallow the fault behind a nil-pointer panic and hang the process. A
// process holding the engine must crash at once with the Go stack.
func TestPanicCrashes(t *testing.T) {
	if dir := os.Getenv(panicEnv); dir != "" {
		crashWithEngine(dir)
		return
	}
	for _, tc := range []struct{ name, mode string }{
		{"nil pointer", "nil"},
		{"explicit panic", "panic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPanicCrashes$")
			cmd.Env = append(os.Environ(), panicEnv+"="+filepath.Join(t.TempDir(), "ch"), "CREDITSYNC_TEST_PANIC_MODE="+tc.mode)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			// The child prints "engine open" when the engine is up; the
			// deadline runs from there, not from the engine's start-up.
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			n, _ := out.Read(buf)
			if !strings.Contains(string(buf[:n]), "engine open") {
				_ = cmd.Wait()
				t.Fatalf("the child did not open the engine: %q\n%s", buf[:n], stderr.String())
			}
			opened := time.Now()
			err = cmd.Wait()
			took := time.Since(opened)
			if err == nil {
				t.Fatalf("the child exited 0 after the panic; stderr:\n%s", stderr.String())
			}
			t.Logf("the child ended after %s: %v", took, err)
			if took > time.Second {
				t.Errorf("the child took %s to die after the panic, want under a second", took)
			}
			for _, want := range []string{"panic:", "goroutine ", "crashWithEngine"} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q (the Go stack):\n%s", want, stderr.String())
				}
			}
		})
	}
}

type node struct{ next *node }

func crashWithEngine(dir string) {
	s, err := embedded.Open(context.Background(), embedded.Config{Path: dir, Database: "panictest"})
	if err != nil {
		os.Stderr.WriteString("open: " + err.Error() + "\n")
		os.Exit(3)
	}
	rows, err := s.Query(context.Background(), "SELECT 1", nil)
	if err == nil {
		err = rows.Close()
	}
	if err != nil {
		os.Stderr.WriteString("query: " + err.Error() + "\n")
		os.Exit(3)
	}
	os.Stdout.WriteString("engine open\n")
	if os.Getenv("CREDITSYNC_TEST_PANIC_MODE") == "panic" {
		panic("deliberate")
	}
	var n *node
	println(n.next.next) // nil dereference: SIGSEGV turned into a Go panic
}
