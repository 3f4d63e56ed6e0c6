package listsync

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// A snapshot left open by an earlier version (one sync_pending row per
// record, the page's body in its row) reads back like one stored now (a
// page's records in one row, its body in raw_pages), and so do their
// record counts, so such a snapshot resumes and loads after an upgrade.
func TestPendingRowsOfEitherLayout(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	list, _ := contract.Lookup("abnormal")
	r := &runner{s: s, t: sql.Target{Cluster: s.Cluster()}, src: Source{Name: "city"}, list: list,
		set: Settings{KeepRawPages: true}, res: &Result{RunID: "run-new"}}
	header := []string{"企业名称", "统一社会信用代码", "列入日期"}
	records := [][]string{
		{"许昌<甲>人力资源有限公司", "91411002MA112356X9", "2025-07-01"},
		{"许昌乙劳务派遣有限公司", "", "2024-07-02"},
	}
	headerText, _ := json.Marshal(header)
	now := time.Now().UTC()
	// Page 1 as earlier versions stored it.
	var old [][]any
	for i, rec := range records {
		fields, _ := json.Marshal(rec)
		old = append(old, []any{"city", "snap", uint32(1), "run-old", uint32(i + 1), "run-old", "", uint16(0), "", uint64(0), "GB18030", "", "",
			string(headerText), string(fields), now, int64(-1), ""})
	}
	old = append(old, []any{"city", "snap", uint32(1), "run-old", uint32(0), "run-old", "http://x/1", uint16(200), "sum", uint64(4), "GB18030", "body",
		`{"page":2}`, string(headerText), "", now, int64(4), pageDigest(header, records)})
	if _, err := s.Insert(ctx, tablePending, pendingColumns, seq(old)); err != nil {
		t.Fatal(err)
	}
	// Page 2 as stored now.
	b := &pendingBuffer{}
	r.addPage(b, "snap", page{Number: 2, URL: "http://x/2", Status: 200, Body: []byte("body2"), Encoding: "GB18030", Header: header, Records: records, Claimed: 4}, endOfListing)
	if err := r.flush(ctx, b, func(bufferedPage) {}); err != nil {
		t.Fatal(err)
	}
	if err := b.wait(func(bufferedPage) {}); err != nil {
		t.Fatal(err)
	}

	got, err := r.readPending(ctx, "snap")
	if err != nil {
		t.Fatal(err)
	}
	var want []pendingRow
	for p := 1; p <= 2; p++ {
		for i, rec := range records {
			want = append(want, pendingRow{page: p, seq: i + 1, header: header, fields: rec, headerText: string(headerText), enc: "GB18030"})
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	var position string
	var pages, recs uint64
	if err := store.QueryRow(ctx, s, r.q("pending_position"), store.Params{"source": "city", "snapshot_id": "snap"}, &position, &pages, &recs); err != nil {
		t.Fatal(err)
	}
	if position != endOfListing || pages != 2 || recs != 4 {
		t.Errorf("position %q, %d pages, %d records; want the end, 2 and 4", position, pages, recs)
	}
	// Closing moves the old page's body to raw_pages; the new one is
	// there already, once.
	if err := r.closeSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(ctx, "SELECT page, body FROM raw_pages WHERE source = 'city' ORDER BY page", nil)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for rows.Next() {
		var p int
		var body string
		if err := rows.Scan(&p, &body); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, body)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(bodies, []string{"body", "body2"}) {
		t.Errorf("raw_pages bodies %q, want the two pages' once each", bodies)
	}
}
