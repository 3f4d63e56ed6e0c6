package workflows

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func stepOf(rep jobs.Report, name string) jobs.StepResult {
	for _, s := range rep.Steps {
		if s.Name == name {
			return s
		}
	}
	return jobs.StepResult{}
}

// servedSample writes a sample of the given seed and size under dir and
// serves its external lists from fixture sources on loopback, closed when
// the test ends: the bureau's files and the sites a nightly run syncs.
func servedSample(t *testing.T, dir string, seed int64, institutions int) (sample.Files, *fixture.Server) {
	t.Helper()
	files, _, err := sample.Write(filepath.Join(dir, "sample"), sample.Options{Seed: seed, Institutions: institutions, AsOf: DemoAsOf})
	if err != nil {
		t.Fatal(err)
	}
	fx, err := fixture.ServeFiles(files, fixture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fx.Close)
	return files, fx
}
