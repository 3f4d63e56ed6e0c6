package listsync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuri/excelize/v2"
)

func TestSourcesStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustSync(penalties, dishonest)
	e.fx.Inject(fixture.Dishonest, fixture.Fault{Kind: fixture.Refresh40001})
	e.sync(listsync.Options{}, dishonest)
	// Interrupted half-way: an open snapshot.
	e.fx.Inject(fixture.Abnormal, fixture.Fault{Kind: fixture.ServerError, Page: 2})
	e.sync(listsync.Options{}, abnormal)

	st, err := listsync.Sources(context.Background(), e.s, e.cfg, time.Now().Add(100*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]listsync.Status{}
	for _, s := range st {
		by[s.Source] = s
	}
	if p := by[penalties]; p.LastStatus != listsync.StatusOK || p.LastSuccess == nil || p.SnapshotRows != 7 || p.Listed != 7 || !p.Stale || p.Age < 100*time.Hour {
		t.Errorf("penalties: %+v", p)
	}
	if d := by[dishonest]; d.LastStatus != listsync.StatusFailed || d.LastSuccess == nil || d.SnapshotRows != 5 || d.LastError == "" {
		t.Errorf("dishonest: %+v", d)
	}
	if a := by[abnormal]; a.LastStatus != listsync.StatusPartial || a.LastSuccess != nil || !a.Stale || a.OpenPages != 1 {
		t.Errorf("abnormal: %+v", a)
	}
	if v := by[evaluations]; v.LastRun != nil || !v.Stale {
		t.Errorf("never synced: %+v", v)
	}
	st, _ = listsync.Sources(context.Background(), e.s, e.cfg, time.Now())
	for _, s := range st {
		if s.Source == penalties && s.Stale {
			t.Errorf("fresh source reported stale: %+v", s)
		}
	}
}

// Bulk files dropped by the sharing platform: the newest is the snapshot.
func TestFileDrop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dir := t.TempDir()
	e.cfg.Sources = append(e.cfg.Sources, listsync.Source{Name: "drop", List: "dishonest", Kind: listsync.KindFile, Mode: listsync.ModeSnapshot,
		Path: filepath.Join(dir, "*.csv"), MaxShrink: 0.5})
	write := func(name, text string, age time.Duration) {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		mod := time.Now().Add(-age)
		os.Chtimes(p, mod, mod)
	}
	if _, err := e.sync(listsync.Options{}, "drop"); err == nil {
		t.Error("no file dropped yet: want an error, not an empty list")
	}
	const header = "统一社会信用代码,主体名称,认定日期,失信行为,认定机关,移出日期\n"
	write("2026-07.csv", header+
		"91411002MA112356X9,许昌堃元人力资源有限公司,2026-02-01,拖欠农民工工资,许昌市魏都区人力资源和社会保障局,\n"+
		"91411082MA412356XP,长葛镕达人才服务有限公司,2025-06-18,被列入经营异常名录届满3年,长葛市市场监督管理局,\n"+
		"91411025MA512356XC,襄城县豫兴劳务有限公司,2026-04-04,拖欠农民工工资,襄城县人力资源和社会保障局,\n", time.Hour)
	r := result(t, e.mustSync("drop"), "drop")
	if r.Rows != 3 || r.Added != 3 {
		t.Fatalf("first drop: %+v", r)
	}
	write("2026-08.csv", header+
		"91411002MA112356X9,许昌堃元人力资源有限公司,2026-02-01,拖欠农民工工资,许昌市魏都区人力资源和社会保障局,\n"+
		"91411082MA412356XP,长葛镕达人才服务有限公司,2025-06-18,被列入经营异常名录届满3年,长葛市市场监督管理局,2026-08-01\n", 0)
	r = result(t, e.mustSync("drop"), "drop")
	if r.Rows != 2 || r.Modified != 1 || r.PendingRemovals != 1 {
		t.Errorf("second drop: %+v", r)
	}
	// Read again, the same drop confirms the removal.
	r = result(t, e.mustSync("drop"), "drop")
	if r.Removed != 1 {
		t.Errorf("second drop read again: %+v", r)
	}
	if n := e.count("SELECT count() FROM dishonest FINAL WHERE removed_on IS NOT NULL", nil); n != 2 {
		t.Errorf("%d dishonest rows with removed_on, want 2 (one published, one vanished)", n)
	}
}

// A workbook dropped in the 1904 date system: its pages are stored, read
// again from the store, and their date cells still counted from 1904.
func TestFileDropWorkbookIn1904DateSystem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dir := t.TempDir()
	e.cfg.Sources = append(e.cfg.Sources, listsync.Source{Name: "drop", List: "dishonest", Kind: listsync.KindFile, Mode: listsync.ModeSnapshot,
		Path: filepath.Join(dir, "*.xlsx"), MaxShrink: 0.5})
	f := excelize.NewFile()
	defer f.Close()
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	for i, row := range [][]any{
		{"统一社会信用代码", "主体名称", "认定日期", "失信行为", "认定机关", "移出日期"},
		{"91411002MA112356X9", "许昌堃元人力资源有限公司", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), "拖欠农民工工资", "许昌市魏都区人力资源和社会保障局"},
		{"91411025MA512356XC", "襄城县豫兴劳务有限公司", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "拖欠农民工工资", "襄城县人力资源和社会保障局", time.Date(2026, 4, 4, 0, 0, 0, 0, time.UTC)},
	} {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(filepath.Join(dir, "2026-07.xlsx")); err != nil {
		t.Fatal(err)
	}
	if r := result(t, e.mustSync("drop"), "drop"); r.Rows != 2 || r.Added != 2 {
		t.Fatalf("drop: %+v", r)
	}
	q := "SELECT count() FROM dishonest FINAL WHERE uscc = {uscc:String} AND listed_on = {listed:Date} AND removed_on IS NOT DISTINCT FROM {removed:Nullable(Date)}"
	for _, w := range []store.Params{
		{"uscc": "91411002MA112356X9", "listed": "2026-02-01", "removed": nil},
		{"uscc": "91411025MA512356XC", "listed": "2024-02-29", "removed": "2026-04-04"},
	} {
		if n := e.count(q, w); n != 1 {
			t.Errorf("%v: %d rows; want the record with these dates", w, n)
		}
	}
}
