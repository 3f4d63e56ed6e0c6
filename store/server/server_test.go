package server_test

import (
	"os"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/server"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// TestContract runs the contract suite through store/server: on the
// server named by $CREDITSYNC_TEST_CLICKHOUSE when set, else through
// clickhouse-go's HTTP protocol against the embedded engine's HTTP
// interface (storetest.ServeEmbedded).
func TestContract(t *testing.T) {
	storetest.RunContract(t, func(t testing.TB) store.Store { return storetest.OpenServer(t) })
}

func TestRedactHidesPassword(t *testing.T) {
	for _, dsn := range []string{
		"clickhouse://analyst:s3cr3t@ch1:9000/creditsync",
		"clickhouse://ch1:9000/creditsync?username=a&password=s3cr3t",
	} {
		got := server.Redact(dsn)
		if strings.Contains(got, "s3cr3t") {
			t.Errorf("Redact(%q) = %q still holds the password", dsn, got)
		}
		if !strings.Contains(got, "ch1:9000") {
			t.Errorf("Redact(%q) = %q lost the host", dsn, got)
		}
	}
}
