package embedded_test

import (
	"os"
	"testing"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestContract(t *testing.T) {
	storetest.RunContract(t, func(t testing.TB) store.Store { return storetest.OpenEmbedded(t) })
}
