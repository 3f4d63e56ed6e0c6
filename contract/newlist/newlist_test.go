// Package newlist proves that a list is added through the contract: a
// list defined here, and nowhere else, with its migration and its rows
// under testdata, goes through sync, load, grading and the reports of
// the lists without a line changed elsewhere.
package newlist_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/registered"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// arrears is a 社保欠费名单: an external list that no grading clause
// reads yet.
var arrears = &contract.List{
	Name: "si_arrears", Title: "社保欠费名单", Key: []string{"uscc", "name_key", "listed_on"}, External: true,
	Columns: []contract.Column{
		{Key: "uscc", Chinese: "统一社会信用代码", Kind: contract.USCC},
		{Key: "name", Chinese: "单位名称", Aliases: []string{"企业名称", "名称"}},
		{Key: "listed_on", Chinese: "列入日期", Kind: contract.Date, Required: true},
		{Key: "reason", Chinese: "欠费情况"},
		{Key: "authority", Chinese: "作出决定机关"},
		{Key: "removed_on", Chinese: "移出日期", Kind: contract.Date},
	},
	Derived: []string{"name_key"},
	Dated:   contract.Dated{On: "listed_on", Ends: "removed_on", Reason: "reason"},
}

const (
	listed   = "91411002MA112356X9" // registered, still listed
	removed  = "91411023MA212356XW" // registered, removed in 2024
	stranger = "许昌某某不存在劳务有限公司"      // no USCC, and no institution has the name
)

func TestAListAddedThroughTheContract(t *testing.T) {
	remove, err := contract.Register(arrears)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	t.Cleanup(sql.AddMigrations(os.DirFS("testdata")))
	os.Setenv(fixture.EnvToken, fixture.DefaultToken)

	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	if _, err := file.Import(ctx, s, mustList(t, "institutions"), filepath.Join("testdata", "institutions.csv"), file.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2025, 7, 31, 0, 0, 0, 0, time.UTC)
	before, err := grade.Compute(ctx, s, grade.DefaultRules(), asOf)
	if err != nil {
		t.Fatal(err)
	}

	// Sync: the fixture publishes the list's own rows on loopback.
	rows, err := fixture.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows["si_arrears"]) != 3 {
		t.Fatalf("fixture read %d rows of si_arrears from testdata, want 3", len(rows["si_arrears"]))
	}
	fx := fixture.Start(rows, fixture.Options{})
	t.Cleanup(fx.Close)
	toml, err := fx.ListSourceTOML("social-insurance-arrears", "si_arrears")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := listsync.ParseConfig(toml)
	if err != nil {
		t.Fatal(err)
	}
	res, err := listsync.Run(ctx, s, cfg, listsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || !res[0].Complete || res[0].List != "si_arrears" || res[0].Rows != 3 || res[0].Added != 3 {
		t.Fatalf("sync = %+v, want one complete snapshot of si_arrears adding 3 rows", res)
	}

	// Load: the rows are in the list's table and the copy grading reads.
	if n := count(t, s, "SELECT count() FROM si_arrears"); n != 3 {
		t.Errorf("si_arrears holds %d rows, want 3", n)
	}
	if n := count(t, s, "SELECT count() FROM si_arrears_registered WHERE uscc IN ('"+listed+"', '"+removed+"')"); n != 2 {
		t.Errorf("the copy holds %d rows about registered institutions, want 2", n)
	}
	missing, err := registered.Missing(ctx, s)
	if err != nil || missing["si_arrears"] != 0 {
		t.Errorf("registered.Missing = %v, %v; want si_arrears checked and whole", missing, err)
	}

	// Grading reads the store with the list in it, and the list changes
	// no grade: no clause reads it (docs/rules.md).
	after, err := grade.Compute(ctx, s, grade.DefaultRules(), asOf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("grades changed by a list no clause reads:\nbefore %+v\nafter  %+v", before, after)
	}

	// Review: the record without a USCC that names no institution waits
	// for a person.
	items, err := listsync.Review(ctx, s, "si_arrears")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Name != stranger || items[0].List != "si_arrears" {
		t.Errorf("review queue = %+v, want the one record of %s", items, stranger)
	}

	// The analysts' view of the lists, and the report of the lists held.
	got := table(t, s, "SELECT list_zh, ifNull(uscc, ''), ifNull(matched_by, ''), toString(on_date), ifNull(toString(ends_on), ''), ifNull(reason, ''), ifNull(authority, '') FROM v_list_records WHERE list = 'si_arrears' ORDER BY on_date")
	want := [][]string{
		{"社保欠费名单", removed, "uscc", "2024-05-02", "2024-09-30", "欠缴社会保险费两个月", "许昌市社会保险中心"},
		{"社保欠费名单", listed, "uscc", "2025-03-01", "", "欠缴社会保险费三个月", "许昌市社会保险中心"},
		{"社保欠费名单", "", "", "2025-04-02", "", "欠缴社会保险费六个月", "许昌市社会保险中心"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("v_list_records of si_arrears =\n%q\nwant\n%q", got, want)
	}
	freshness := table(t, s, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "report/list_freshness"))
	i := slices.IndexFunc(freshness, func(r []string) bool { return r[0] == "si_arrears" })
	if i < 0 || freshness[i][1] != "3" || !strings.Contains(freshness[i][3], fx.URL(fixture.ListEndpoint("si_arrears"))) {
		t.Errorf("list freshness = %q, want si_arrears with 3 records loaded from the fixture", freshness)
	}
	if zh := table(t, s, "SELECT zh FROM labels FINAL WHERE domain = 'list' AND code = 'si_arrears'"); len(zh) != 1 || zh[0][0] != arrears.Title {
		t.Errorf("label of si_arrears = %q, want %q", zh, arrears.Title)
	}
}

func mustList(t *testing.T, name string) *contract.List {
	t.Helper()
	l, err := contract.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func count(t *testing.T, s store.Store, q string) int64 {
	t.Helper()
	n, err := store.Count(context.Background(), s, q, nil)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// table reads every value as text.
func table(t *testing.T, s store.Store, q string) [][]string {
	t.Helper()
	rows, err := s.Query(context.Background(), "SELECT * APPLY toString FROM ("+q+")", nil)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var rec []string
		for _, v := range rows.Values() {
			rec = append(rec, fmt.Sprint(v))
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
