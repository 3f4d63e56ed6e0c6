package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/chhttp"
)

// HTTPOptions are the DSN options store/server needs with the embedded
// engine's HTTP interface: it takes an INSERT's data as text in a request
// of at most 1 MiB.
const HTTPOptions = "insert_format=JSONEachRow&batch_bytes=500000"

// ServeEmbedded serves the ClickHouse HTTP interface over this process's
// embedded engine — the daemon's SQL endpoint (chhttp) in its test-only
// writable mode — and returns a DSN for store/server without a database:
// "http://default:TOKEN@127.0.0.1:PORT/". So store/server and everything
// above it run through clickhouse-go's HTTP protocol against a real
// engine in every `make test`. The server stops when the test ends.
func ServeEmbedded(t testing.TB) string {
	t.Helper()
	s := OpenEmbedded(t)
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	token := hex.EncodeToString(b)
	h, err := chhttp.New(context.Background(), chhttp.Options{
		Store:    s,
		Auth:     func(tok string) (string, string, bool) { return "test", "", tok == token },
		Writable: true,
	})
	if err != nil {
		t.Fatalf("serve the embedded engine over HTTP: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return "http://default:" + token + "@" + strings.TrimPrefix(srv.URL, "http://") + "/"
}
