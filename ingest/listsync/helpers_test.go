package listsync_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// The fixture's credentials, in the variables its config names, for
// every test (tests run in parallel, so none may change them).
func TestMain(m *testing.M) {
	os.Setenv(fixture.EnvToken, fixture.DefaultToken)
	os.Setenv(fixture.EnvAPIKey, fixture.DefaultAPIKey)
	os.Exit(storetest.Main(m))
}

// Source names SourcesTOML gives the fixture's endpoints.
const (
	penalties   = "publicity-penalties"
	abnormal    = "publicity-abnormal"
	dishonest   = "creditchina-dishonest"
	evaluations = "creditchina-evaluations"
)

var endpointOf = map[string]fixture.Endpoint{penalties: fixture.Penalties, abnormal: fixture.Abnormal, dishonest: fixture.Dishonest, evaluations: fixture.PublicEval}

// env is a store, the fixture sites and a config syncing them, with
// small pages so that every listing spans several.
type env struct {
	t   *testing.T
	s   store.Store
	fx  *fixture.Server
	cfg listsync.Config
	log *bytes.Buffer
}

func small(t *testing.T) fixture.Data {
	t.Helper()
	d, err := fixture.ReadDir(filepath.Join("..", "fixture", "testdata", "small"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fx := fixture.Start(small(t), fixture.Options{PageSize: 2})
	t.Cleanup(fx.Close)
	cfg, err := listsync.ParseConfig(fx.SourcesTOML())
	if err != nil {
		t.Fatal(err)
	}
	for i := range cfg.Sources {
		cfg.Sources[i].PageSize = 2
		cfg.Sources[i].Retries = 2
		cfg.Sources[i].BackoffMin, cfg.Sources[i].BackoffMax = time.Millisecond, 2*time.Millisecond
		cfg.Sources[i].Timeout = 300 * time.Millisecond
		// The tests sync seconds apart: a removal is confirmed by the
		// next snapshot (the default waits for the next night's).
		cfg.Sources[i].ConfirmRemovalsAfter = 0
	}
	return &env{t: t, s: storetest.OpenMigrated(t), fx: fx, cfg: cfg, log: &bytes.Buffer{}}
}

func (e *env) source(name string) *listsync.Source {
	for i := range e.cfg.Sources {
		if e.cfg.Sources[i].Name == name {
			return &e.cfg.Sources[i]
		}
	}
	e.t.Fatalf("no source %s", name)
	return nil
}

func (e *env) sync(opt listsync.Options, sources ...string) ([]listsync.Result, error) {
	e.t.Helper()
	opt.Sources = sources
	opt.Logger = slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return listsync.Run(context.Background(), e.s, e.cfg, opt)
}

// mustSync syncs and fails the test on any error.
func (e *env) mustSync(sources ...string) []listsync.Result {
	e.t.Helper()
	res, err := e.sync(listsync.Options{}, sources...)
	if err != nil {
		e.t.Fatalf("sync: %v", err)
	}
	return res
}

func (e *env) count(query string, params store.Params) int64 {
	e.t.Helper()
	n, err := store.Count(context.Background(), e.s, query, params)
	if err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// strings is the first column of every row query returns, as text.
func (e *env) strings(query string) []string {
	e.t.Helper()
	rows, err := e.s.Query(context.Background(), query, nil)
	if err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		out = append(out, fmt.Sprint(rows.Values()[0]))
	}
	if err := rows.Err(); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return out
}

// dump is the whole content of the lists and the sync side table (of
// the sources named, or all), to compare before and after a failed sync.
func (e *env) dump(sources ...string) string {
	e.t.Helper()
	seen := "SELECT source, record_key, row_hash, first_seen, last_seen, removed_on FROM external_records FINAL ORDER BY source, record_key"
	if len(sources) > 0 {
		seen = "SELECT source, record_key, row_hash, first_seen, last_seen, removed_on FROM external_records FINAL WHERE source IN ('" + strings.Join(sources, "','") + "') ORDER BY source, record_key"
	}
	var b strings.Builder
	for _, q := range []string{
		"SELECT record_id, uscc, name, decided_on, authority, content, publicity_ended_on, batch_id FROM penalties FINAL ORDER BY record_id",
		"SELECT uscc, name_key, listed_on, reason, removed_on, removal_reason, batch_id FROM abnormal FINAL ORDER BY uscc, name_key, listed_on",
		"SELECT uscc, name_key, listed_on, reason, removed_on, batch_id FROM dishonest FINAL ORDER BY uscc, name_key, listed_on",
		"SELECT uscc, name_key, evaluated_on, grade, grade_label, batch_id FROM public_eval FINAL ORDER BY uscc, name_key, evaluated_on",
		seen,
	} {
		rows, err := e.s.Query(context.Background(), q, nil)
		if err != nil {
			e.t.Fatal(err)
		}
		for rows.Next() {
			fmt.Fprintln(&b, rows.Values()...)
		}
		rows.Close()
	}
	return b.String()
}

// fork is a copy of one of e's sources under a name of its own, syncing
// its own copy of the sites into e's store.
func (e *env) fork(t *testing.T, base string, n int) *env {
	t.Helper()
	fx := fixture.Start(small(t), fixture.Options{PageSize: 2})
	t.Cleanup(fx.Close)
	src := *e.source(base)
	src.Name = fmt.Sprintf("%s-%d", base, n)
	src.URL = fx.URL(endpointOf[base])
	return &env{t: t, s: e.s, fx: fx, cfg: listsync.Config{Settings: e.cfg.Settings, Sources: []listsync.Source{src}}, log: &bytes.Buffer{}}
}

func result(t *testing.T, results []listsync.Result, source string) listsync.Result {
	t.Helper()
	for _, r := range results {
		if r.Source == source {
			return r
		}
	}
	t.Fatalf("no result for %s in %d results", source, len(results))
	return listsync.Result{}
}

// without returns rows minus the one whose column has the value.
func without(rows []fixture.Row, column, value string) []fixture.Row {
	var out []fixture.Row
	for _, r := range rows {
		if r[column] != value {
			out = append(out, r)
		}
	}
	return out
}

func writeCSV(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "data.csv")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
