package server_test

import (
	"os"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/server"
	"github.com/xuchang-hrss/creditsync/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// TestContract needs a modern ClickHouse server; none can be installed on
// the development machines, so it runs where $CREDITSYNC_TEST_CLICKHOUSE
// names one.
func TestContract(t *testing.T) {
	if s := storetest.OpenServer(t); s == nil {
		t.Skip("set " + storetest.ServerEnv + "=clickhouse://user:pass@host:9000/db to run the contract suite on a server")
	}
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
