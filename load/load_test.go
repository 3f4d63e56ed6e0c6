package load_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/zone"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func records(lines ...[]string) func(func(load.Record, error) bool) {
	return func(yield func(load.Record, error) bool) {
		for i, l := range lines {
			if !yield(load.Record{Line: i + 2, Fields: l}, nil) {
				return
			}
		}
	}
}

func TestLaterLineWinsWithinABatch(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	list, _ := contract.Lookup("annual_reports")
	m, err := list.Map([]string{"uscc", "year", "submitted_on"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := load.Load(ctx, s, m, list, load.Source{Name: "test"}, records(
		[]string{"914403001922038216", "2023", "2024-03-01"},
		[]string{"914403001922038216", "2023", "2024-03-05"},
		[]string{"914403001922038216", "2022", "2023-03-01"},
	))
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 2 || res.Duplicates != 1 {
		t.Errorf("loaded %d duplicates %d, want 2 and 1", res.Loaded, res.Duplicates)
	}
	var got time.Time
	if err := store.QueryRow(ctx, s, "SELECT submitted_on FROM annual_reports WHERE year = 2023", nil, &got); err != nil {
		t.Fatal(err)
	}
	if got.Format(time.DateOnly) != "2024-03-05" {
		t.Errorf("2023 report submitted_on = %v, want the later line's 2024-03-05", got)
	}
}

func TestSourceFailureWritesNothing(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	list, _ := contract.Lookup("annual_reports")
	m, _ := list.Map([]string{"uscc", "year", "submitted_on"})
	broken := errors.New("connection reset")
	seq := func(yield func(load.Record, error) bool) {
		if yield(load.Record{Line: 2, Fields: []string{"914403001922038216", "2023", "2024-03-01"}}, nil) {
			yield(load.Record{}, broken)
		}
	}
	if _, err := load.Load(ctx, s, m, list, load.Source{Name: "test"}, seq); !errors.Is(err, broken) {
		t.Fatalf("Load error = %v, want the source's", err)
	}
	n, err := store.Count(ctx, s, "SELECT count() FROM annual_reports", nil)
	if err != nil || n != 0 {
		t.Errorf("%d rows written after a failed batch (err %v)", n, err)
	}
	stages, err := store.Count(ctx, s, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name LIKE '\\_stage\\_%'", nil)
	if err != nil || stages != 0 {
		t.Errorf("%d stage tables left behind (err %v)", stages, err)
	}
}

// Every list of the sample loads completely, and a second load of the
// same files writes nothing anywhere.
func TestSampleLoadsIdempotently(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	files, _, err := sample.Write(t.TempDir(), sample.Options{Seed: 7, AsOf: time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, list := range contract.Lists() {
		res, err := file.Import(ctx, s, list, files[list.Name], file.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rejected != 0 || res.Loaded == 0 || res.Loaded+res.Duplicates != res.Read {
			t.Errorf("%s: read %d loaded %d duplicates %d rejected %d %v", list.Name, res.Read, res.Loaded, res.Duplicates, res.Rejected, res.Rejects)
		}
		counts[list.Name] = res.Loaded
	}
	for _, list := range contract.Lists() {
		res, err := file.Import(ctx, s, list, files[list.Name], file.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n, err := store.Count(ctx, s, "SELECT count() FROM "+list.Name+" SETTINGS final = 0", nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Loaded != 0 || n != counts[list.Name] {
			t.Errorf("%s: second import loaded %d; %d physical rows, want %d", list.Name, res.Loaded, n, counts[list.Name])
		}
	}
	batches, err := store.Count(ctx, s, "SELECT count() FROM import_batches", nil)
	if err != nil || batches != 14 {
		t.Errorf("import_batches has %d rows (err %v), want 14", batches, err)
	}
}

// A batch larger than one comparison part is compared part by part: every
// row lands once, repeated keys keep their later line, and loading it
// again writes nothing.
func TestLargeBatchInParts(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	list, _ := contract.Lookup("annual_reports")
	m, _ := list.Map([]string{"uscc", "year", "submitted_on"})
	codes := []string{"914403001922038216", "91440300708461136T", "9144030071526726XG", "91620105L015101280", "91411023174430174N"}
	const n = 260_000 // more than one part of 250,000
	batch := func(yield func(load.Record, error) bool) {
		for i := range n {
			year := 1990 + i%100
			rec := load.Record{Line: i + 2, Fields: []string{codes[(i/100)%len(codes)], fmt.Sprint(year), fmt.Sprintf("%d-03-%02d", year+1, 1+(i/500)%28)}}
			if !yield(rec, nil) {
				return
			}
		}
	}
	first, err := load.Load(ctx, s, m, list, load.Source{Name: "test"}, batch)
	if err != nil {
		t.Fatal(err)
	}
	keys := int64(len(codes) * 100)
	if first.Loaded != keys || first.Duplicates != n-keys {
		t.Errorf("loaded %d with %d duplicates, want %d and %d", first.Loaded, first.Duplicates, keys, n-keys)
	}
	var last time.Time
	// The kept row of a repeated key is the one of its last line.
	want := ""
	for i := range n {
		if codes[(i/100)%len(codes)] == codes[4] && 1990+i%100 == 1999 {
			want = fmt.Sprintf("%d-03-%02d", 2000, 1+(i/500)%28)
		}
	}
	if err := store.QueryRow(ctx, s, "SELECT submitted_on FROM annual_reports WHERE uscc = {u:String} AND year = 1999", store.Params{"u": codes[4]}, &last); err != nil {
		t.Fatal(err)
	}
	if last.Format(time.DateOnly) != want {
		t.Errorf("repeated key kept %s, want the later line's %s", last.Format(time.DateOnly), want)
	}
	again, err := load.Load(ctx, s, m, list, load.Source{Name: "test"}, batch)
	if err != nil {
		t.Fatal(err)
	}
	if again.Loaded != 0 || again.Unchanged != keys {
		t.Errorf("second load: %d loaded, %d unchanged; want 0 and %d", again.Loaded, again.Unchanged, keys)
	}
}

// LoadParsed writes what Load writes for the same records, and records
// their rejects with the same lines, when the caller has validated them.
func TestLoadParsedLoadsLikeLoad(t *testing.T) {
	ctx := context.Background()
	list, _ := contract.Lookup("annual_reports")
	m, err := list.Map([]string{"uscc", "year", "submitted_on"})
	if err != nil {
		t.Fatal(err)
	}
	lines := [][]string{
		{"914403001922038216", "2023", "2024-03-01"},
		{"914403001922038216", "2023", "2024-13-05"}, // no such month
		{"914403001922038216", "2022", "2023-03-01"},
		{"91440300192203821X", "2022", "2023-03-01"}, // wrong check character
	}
	parsed := func(yield func(load.Parsed, error) bool) {
		for i, l := range lines {
			p := load.Parsed{Line: i + 2, Fields: l}
			p.Row, p.Errors = m.Parse(l)
			if !yield(p, nil) {
				return
			}
		}
	}
	state := func(s store.Store) string {
		var out string
		for _, q := range []string{
			"SELECT uscc, year, submitted_on, source_line FROM annual_reports ORDER BY uscc, year",
			"SELECT line, column, reason FROM import_rejects ORDER BY line, column",
		} {
			rows, err := s.Query(ctx, q, nil)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				out += fmt.Sprintln(rows.Values()...)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	viaLoad, viaParsed := storetest.OpenMigrated(t), storetest.OpenMigrated(t)
	want, err := load.Load(ctx, viaLoad, m, list, load.Source{Name: "test"}, records(lines...))
	if err != nil {
		t.Fatal(err)
	}
	got, err := load.LoadParsed(ctx, viaParsed, m, list, load.Source{Name: "test"}, parsed)
	if err != nil {
		t.Fatal(err)
	}
	if got.Read != 4 || got.Valid != 2 || got.Rejected != 2 || got.Loaded != 2 {
		t.Errorf("LoadParsed: read %d valid %d rejected %d loaded %d, want 4, 2, 2, 2", got.Read, got.Valid, got.Rejected, got.Loaded)
	}
	if got.Read != want.Read || got.Valid != want.Valid || got.Rejected != want.Rejected || got.Loaded != want.Loaded || len(got.Rejects) != len(want.Rejects) {
		t.Errorf("LoadParsed %+v, Load %+v", got, want)
	}
	if a, b := state(viaLoad), state(viaParsed); a != b || a == "" {
		t.Errorf("Load wrote\n%s\nLoadParsed wrote\n%s", a, b)
	}
}

// A column the input does not have is unknown, not empty: a register
// sent without 区县代码, 许可状态 or 承诺书签订日期 keeps what is stored
// there for the institutions already registered (erased, commitments
// went and grades dropped to B, a cancelled licence came back, a branch
// moved to the county of its USCC), while a new institution takes the
// defaults, and a column present with an empty cell still says "none".
func TestColumnsTheInputLacksKeepTheirStoredValues(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	list, _ := contract.Lookup("institutions")
	const known, added = "914403001922038216", "91620105L015101280"
	loadRows := func(header []string, lines ...[]string) load.Result {
		t.Helper()
		m, err := list.Map(header)
		if err != nil {
			t.Fatal(err)
		}
		res, err := load.Load(ctx, s, m, list, load.Source{Name: "file", Ref: "test.csv", KeepAbsent: true}, records(lines...))
		if err != nil || res.Rejected != 0 {
			t.Fatalf("load %q: %v, %d rejected %+v", header, err, res.Rejected, res.Rejects)
		}
		return res
	}
	stored := func(uscc string) string {
		t.Helper()
		var out string
		q := "SELECT concat_ws('|', name, county_code, license_no, license_status, ifNull(toString(license_status_on), '-'), ifNull(toString(commitment_signed_on), '-'), ifNull(toString(lost_contact_since), '-')) FROM institutions FINAL WHERE uscc = {u:String}"
		if err := store.QueryRow(ctx, s, q, store.Params{"u": uscc}, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	loadRows([]string{"uscc", "name", "county_code", "license_no", "licensed_on", "license_status", "license_status_on", "commitment_signed_on", "lost_contact_since"},
		[]string{known, "许昌甲人力资源有限公司", "411081", "豫人服证001", "2020-01-01", "注销", "2024-01-01", "2023-07-01", "2025-01-01"})
	narrow := []string{"统一社会信用代码", "机构名称", "许可日期"}
	res := loadRows(narrow,
		[]string{known, "许昌甲新名人力资源有限公司", "2020-01-01"},
		[]string{added, "许昌乙人力资源有限公司", "2021-01-01"})
	if want := "许昌甲新名人力资源有限公司|411081|豫人服证001|cancelled|2024-01-01|2023-07-01|2025-01-01"; stored(known) != want {
		t.Errorf("the registered institution after a register without those columns: %s, want %s", stored(known), want)
	}
	if got, want := stored(added), "许昌乙人力资源有限公司|620105||valid|-|-|-"; got != want {
		t.Errorf("a new institution: %s, want the defaults %s", got, want)
	}
	if want := []string{"county_code", "license_no", "license_status", "license_status_on", "commitment_signed_on", "lost_contact_since"}; fmt.Sprint(res.Kept) != fmt.Sprint(want) {
		t.Errorf("kept %q, want %q", res.Kept, want)
	}
	if again := loadRows(narrow, []string{known, "许昌甲新名人力资源有限公司", "2020-01-01"}); again.Loaded != 0 || again.Unchanged != 1 {
		t.Errorf("the same narrow register again: %d loaded, %d unchanged; want nothing new", again.Loaded, again.Unchanged)
	}
	loadRows([]string{"uscc", "name", "licensed_on", "commitment_signed_on"}, []string{known, "许昌甲新名人力资源有限公司", "2020-01-01", ""})
	if want := "许昌甲新名人力资源有限公司|411081|豫人服证001|cancelled|2024-01-01|-|2025-01-01"; stored(known) != want {
		t.Errorf("an empty cell of a column the register has: %s, want the commitment gone, the rest kept: %s", stored(known), want)
	}
}

// A batch is named by the time it started on Xuchang's clock, the one
// staff read, not UTC's.
func TestBatchIDIsXuchangsClock(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	list, _ := contract.Lookup("institutions")
	m, err := list.Map([]string{"uscc", "name", "licensed_on"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := load.Load(ctx, s, m, list, load.Source{Name: "file", Ref: "test.csv"}, records([]string{"914403001922038216", "许昌甲人力资源有限公司", "2020-01-01"}))
	if err != nil {
		t.Fatal(err)
	}
	var started time.Time
	if err := store.QueryRow(ctx, s, "SELECT started_at FROM import_batches WHERE batch_id = {b:String}", store.Params{"b": res.BatchID}, &started); err != nil {
		t.Fatal(err)
	}
	if want := started.In(zone.Shanghai).Format("20060102T150405") + "_"; !strings.HasPrefix(res.BatchID, want) {
		t.Errorf("batch %s started at %s: want it named %s…", res.BatchID, started.UTC(), want)
	}
}

// A file's rows dated after today, in a column of something that has
// happened, are stored as written and named (a year typed 2099): a
// violation dated ahead counts for nothing until its day. The end of a
// penalty's publicity may lie ahead.
func TestRowsDatedAheadAreNamed(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	inspections, _ := contract.Lookup("inspections")
	m, err := inspections.Map([]string{"record_id", "uscc", "kind", "severity", "handled_on", "rectified_on"})
	if err != nil {
		t.Fatal(err)
	}
	const u = "914403001922038216"
	res, err := load.Load(ctx, s, m, inspections, load.Source{Name: "file", Ref: "test.csv", KeepAbsent: true}, records(
		[]string{"R1", u, "violation", "serious", "2026-07-21", ""},
		[]string{"R2", u, "violation", "serious", "2099-07-21", ""},
		[]string{"R3", u, "violation", "minor", "2025-07-21", "2098-01-02"}))
	if err != nil || res.Rejected != 0 || res.Loaded != 3 {
		t.Fatalf("load: %v, %d rejected, %d loaded", err, res.Rejected, res.Loaded)
	}
	if want := []string{"line 3 查处日期 2099-07-21", "line 4 整改完成日期 2098-01-02"}; res.DatedAhead.Rows != 2 || fmt.Sprint(res.DatedAhead.First) != fmt.Sprint(want) {
		t.Errorf("dated ahead: %+v, want 2 rows %q", res.DatedAhead, want)
	}
	penalties, _ := contract.Lookup("penalties")
	m, err = penalties.Map([]string{"record_id", "uscc", "decided_on", "publicity_ended_on"})
	if err != nil {
		t.Fatal(err)
	}
	res, err = load.Load(ctx, s, m, penalties, load.Source{Name: "file", Ref: "p.csv", KeepAbsent: true}, records([]string{"许人社罚〔2026〕1号", u, "2026-07-21", "2099-07-21"}))
	if err != nil || res.DatedAhead.Rows != 0 {
		t.Errorf("a publicity ending ahead: %v, %+v; want nothing named", err, res.DatedAhead)
	}
}

// The columns a file has beyond the contract (备注, 联系人) are kept as
// extra, and like the contract's columns a file without one keeps the
// stored value, a file with one changes it (a remark alone changed is a
// change), and an empty cell of a column the file has clears it. A file
// without 备注 erased every remark of the records it changed, and a
// corrected remark was "unchanged". On a list versioned by date too.
func TestExtraColumnsAreKeptLikeTheContracts(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	for _, c := range []struct {
		list string
		key  []string // the key's headers and values
		vals []string
		rest []string // a contract column to change, and two values
	}{
		{"institutions", []string{"uscc", "licensed_on"}, []string{"914403001922038216", "2020-01-01"}, []string{"name", "许昌甲人力资源有限公司", "许昌甲新名人力资源有限公司"}},
		{"abnormal", []string{"uscc", "name", "listed_on"}, []string{"914403001922038216", "许昌甲人力资源有限公司", "2025-03-01"}, []string{"reason", "未按规定公示年度报告", "通过登记的住所无法联系"}},
	} {
		list, _ := contract.Lookup(c.list)
		loadRows := func(header []string, values ...string) load.Result {
			t.Helper()
			m, err := list.Map(append(slices.Clone(c.key), header...))
			if err != nil {
				t.Fatal(err)
			}
			res, err := load.Load(ctx, s, m, list, load.Source{Name: "file", Ref: "test.csv", KeepAbsent: true}, records(append(slices.Clone(c.vals), values...)))
			if err != nil || res.Rejected != 0 {
				t.Fatalf("%s: load %q: %v, %d rejected %+v", c.list, header, err, res.Rejected, res.Rejects)
			}
			return res
		}
		extra := func() map[string]string {
			t.Helper()
			var raw string
			if err := store.QueryRow(ctx, s, "SELECT extra FROM "+c.list+" FINAL WHERE uscc = {u:String}", store.Params{"u": c.vals[0]}, &raw); err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			if raw != "" {
				if err := json.Unmarshal([]byte(raw), &out); err != nil {
					t.Fatalf("%s: extra %q: %v", c.list, raw, err)
				}
			}
			return out
		}
		steps := []struct {
			what   string
			header []string
			values []string
			loaded int64
			want   map[string]string
		}{
			{"first", []string{c.rest[0], "备注"}, []string{c.rest[1], "因违法违规被吊销许可证"}, 1, map[string]string{"备注": "因违法违规被吊销许可证"}},
			{"a file without 备注 changing the record", []string{c.rest[0]}, []string{c.rest[2]}, 1, map[string]string{"备注": "因违法违规被吊销许可证"}},
			{"the remark alone corrected", []string{c.rest[0], "备注"}, []string{c.rest[2], "备注已更正 <a&b>"}, 1, map[string]string{"备注": "备注已更正 <a&b>"}},
			{"the same again", []string{c.rest[0], "备注"}, []string{c.rest[2], "备注已更正 <a&b>"}, 0, map[string]string{"备注": "备注已更正 <a&b>"}},
			{"a new column alone", []string{c.rest[0], "联系人"}, []string{c.rest[2], "张三"}, 1, map[string]string{"备注": "备注已更正 <a&b>", "联系人": "张三"}},
			{"an empty cell of a column the file has", []string{c.rest[0], "备注"}, []string{c.rest[2], ""}, 1, map[string]string{"联系人": "张三"}},
			{"a file without extra columns, unchanged", []string{c.rest[0]}, []string{c.rest[2]}, 0, map[string]string{"联系人": "张三"}},
		}
		for _, st := range steps {
			res := loadRows(st.header, st.values...)
			if res.Loaded != st.loaded {
				t.Errorf("%s, %s: %d loaded, want %d", c.list, st.what, res.Loaded, st.loaded)
			}
			if got := extra(); !maps.Equal(got, st.want) {
				t.Errorf("%s, %s: extra %v, want %v", c.list, st.what, got, st.want)
			}
		}
	}
}

// A corrected file replaces the batch of the wrong one: the records that
// batch wrote and the corrected file lacks (a listing under a mistyped
// date, a row that should not be there) are withdrawn, from the list and
// from its copy for grading, while records other batches wrote stay. A
// batch that is not the list's is refused before anything is written.
func TestCorrectedFileWithdrawsWhatItLacks(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	inst, _ := contract.Lookup("institutions")
	abnormal, _ := contract.Lookup("abnormal")
	const a, b = "914403001922038216", "91620105L015101280"
	load1 := func(list *contract.List, header []string, src load.Source, lines ...[]string) (load.Result, error) {
		t.Helper()
		m, err := list.Map(header)
		if err != nil {
			t.Fatal(err)
		}
		return load.Load(ctx, s, m, list, src, records(lines...))
	}
	if _, err := load1(inst, []string{"uscc", "name", "county_code", "licensed_on"}, load.Source{Name: "file"},
		[]string{a, "许昌甲人力资源有限公司", "411002", "2020-01-01"}, []string{b, "许昌乙人力资源有限公司", "411002", "2020-01-01"}); err != nil {
		t.Fatal(err)
	}
	header := []string{"uscc", "name", "listed_on", "reason"}
	other, err := load1(abnormal, header, load.Source{Name: "file", Ref: "other.csv"}, []string{b, "许昌乙人力资源有限公司", "2025-03-01", "未按规定公示年度报告"})
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := load1(abnormal, header, load.Source{Name: "file", Ref: "wrong.csv"},
		[]string{a, "许昌甲人力资源有限公司", "2026-10-01", "通过登记的住所无法联系"},
		[]string{a, "许昌甲人力资源有限公司", "2025-05-01", "未按规定公示年度报告"})
	if err != nil {
		t.Fatal(err)
	}
	listed := func(table string) string {
		t.Helper()
		var out string
		q := "SELECT arrayStringConcat(arraySort(groupArray(concat(uscc, '@', toString(listed_on)))), ' ') FROM " + table + " FINAL"
		if err := store.QueryRow(ctx, s, q, nil, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if _, err := load1(abnormal, header, load.Source{Name: "file", Ref: "fixed.csv", Replaces: other.BatchID + "x"},
		[]string{a, "许昌甲人力资源有限公司", "2025-10-01", "通过登记的住所无法联系"}); !errors.Is(err, load.ErrNoBatch) {
		t.Fatalf("a corrected file naming no batch of the list: %v, want ErrNoBatch", err)
	}
	before := a + "@2025-05-01 " + a + "@2026-10-01 " + b + "@2025-03-01"
	if got := listed("abnormal"); got != before {
		t.Fatalf("after the refused correction: %s, want it unchanged: %s", got, before)
	}
	// A corrected file with a rejected line withdraws nothing: the line
	// may be the record it keeps, its date mistyped again.
	held, err := load1(abnormal, header, load.Source{Name: "file", Ref: "fixed.csv", Replaces: wrong.BatchID},
		[]string{a, "许昌甲人力资源有限公司", "2025-10-01", "通过登记的住所无法联系"},
		[]string{a, "许昌甲人力资源有限公司", "2025-05-32", "未按规定公示年度报告"})
	if err != nil {
		t.Fatal(err)
	}
	if !held.WithdrawalHeld || len(held.Withdrawn) != 0 || held.Rejected != 1 {
		t.Errorf("a corrected file with a rejected line: held %v, withdrawn %q, rejected %d; want nothing withdrawn", held.WithdrawalHeld, held.Withdrawn, held.Rejected)
	}
	if got, want := listed("abnormal"), a+"@2025-05-01 "+a+"@2025-10-01 "+a+"@2026-10-01 "+b+"@2025-03-01"; got != want {
		t.Errorf("after the held correction: %s, want the good line added and nothing withdrawn: %s", got, want)
	}
	fixed, err := load1(abnormal, header, load.Source{Name: "file", Ref: "fixed.csv", Replaces: wrong.BatchID},
		[]string{a, "许昌甲人力资源有限公司", "2025-10-01", "通过登记的住所无法联系"},
		[]string{a, "许昌甲人力资源有限公司", "2025-05-01", "未按规定公示年度报告"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{a + " / 许昌甲人力资源有限公司 / 2026-10-01"}; fmt.Sprint(fixed.Withdrawn) != fmt.Sprint(want) {
		t.Errorf("withdrawn %q, want %q", fixed.Withdrawn, want)
	}
	want := a + "@2025-05-01 " + a + "@2025-10-01 " + b + "@2025-03-01"
	for _, table := range []string{"abnormal", "abnormal_registered"} {
		if got := listed(table); got != want {
			t.Errorf("%s after the correction: %s, want %s", table, got, want)
		}
	}
}

// On the lists whose rows of one institution and date are versions of
// one record to grading (abnormal, dishonest, public_eval), a file
// without the name or without the USCC writes such a version under
// another key: a column it lacks takes the value of the record's latest
// version, so a file without 移出日期 does not list again what was
// removed (the nightly lowered A to C, and A to D on the dishonest list).
func TestVersionsUnderAnotherKeyKeepTheRemoval(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	list, _ := contract.Lookup("abnormal")
	const u, other = "914403001922038216", "91620105L015101280"
	loadRows := func(header []string, lines ...[]string) {
		t.Helper()
		m, err := list.Map(header)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := load.Load(ctx, s, m, list, load.Source{Name: "file", KeepAbsent: true}, records(lines...)); err != nil || res.Rejected != 0 {
			t.Fatalf("load %q: %v %+v", header, err, res.Rejects)
		}
	}
	loadRows([]string{"uscc", "name", "listed_on", "reason", "removed_on"},
		[]string{u, "许昌甲人力资源有限公司", "2026-01-12", "未按规定期限公示年度报告", "2026-07-31"})
	loadRows([]string{"uscc", "listed_on", "reason"},
		[]string{u, "2026-01-12", "未按规定期限公示年度报告"},
		[]string{other, "2026-02-01", "通过登记的住所无法联系"})
	loadRows([]string{"name", "listed_on", "reason"}, []string{"许昌甲人力资源有限公司", "2026-01-12", "未按规定期限公示年度报告"})
	var got string
	q := "SELECT arrayStringConcat(arraySort(groupArray(concat(uscc, '|', name_key, '|', ifNull(toString(removed_on), 'listed')))), ' ') FROM abnormal FINAL"
	if err := store.QueryRow(ctx, s, q, nil, &got); err != nil {
		t.Fatal(err)
	}
	want := u + "||2026-07-31 " + u + "|许昌甲人力资源有限公司|2026-07-31 " + other + "||listed |许昌甲人力资源有限公司|2026-07-31"
	if got != want {
		t.Errorf("the versions stored:\n%s\nwant\n%s", got, want)
	}
}
