package listsync_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
)

// A table whose header has two rows — 序号, 企业名称 and 统一社会信用代码
// written once over both (rowspan=2), 列入信息 over 列入原因, 列入日期 and
// 作出决定机关 (colspan=3) — under a <caption>, was refused on its first
// sync as "the source's layout changed: row 1: expected 7 cells as in the
// header, got 6": every heading of both rows was read as a column. It is
// read as a browser lays it out, one name per column.
//
// And a first sync can never be a layout change: a page that does not
// read as configured (here a row short of cells) says so, and only after
// a sync has read the source is the same page a layout change.
func TestGroupedHeaderAndFirstSyncWording(t *testing.T) {
	t.Parallel()
	var page atomic.Value
	page.Store("grouped/short_row.html")
	e := siteEnv(t, func(int) string { return page.Load().(string) }, abnormalPagesTOML)

	_, err := e.sync(listsync.Options{})
	if !errors.Is(err, listsync.ErrNotAsConfigured) || !errors.Is(err, fetch.ErrLayout) ||
		strings.Contains(err.Error(), "layout changed") || !strings.Contains(err.Error(), "the pages do not read as configured (the source has never synced)") {
		t.Errorf("first sync of a page short of a cell: %v; want ErrNotAsConfigured, not a layout change", err)
	}

	page.Store("grouped/list.html")
	res, err := e.sync(listsync.Options{})
	if err != nil {
		t.Fatalf("sync of the grouped header: %v", err)
	}
	if r := res[0]; !r.Complete || r.Rows != 4 || r.Rejected != 0 || len(r.Unused) != 0 {
		t.Errorf("sync of the grouped header: %+v; want its 4 records, every column mapped", r)
	}
	got := e.strings("SELECT concat(name, '|', uscc, '|', toString(listed_on), '|', reason, '|', authority) FROM abnormal FINAL ORDER BY uscc")
	want := []string{
		"许昌甲人力资源有限公司|91411002MA4000012Y|2026-07-01|未按规定期限公示年度报告|许昌市市场监督管理局",
		"许昌乙人力资源服务有限公司|91411002MA4000020R|2026-07-01|通过登记的住所或者经营场所无法联系|许昌市市场监督管理局",
		"许昌丙劳务派遣有限公司|91411002MA4000039N|2026-07-01|未按规定期限公示年度报告|许昌市市场监督管理局",
		"许昌戊人力资源（许昌）有限公司|91411002MA4000055C|2026-07-02|公示企业信息隐瞒真实情况、弄虚作假|许昌市市场监督管理局",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("abnormal holds\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	page.Store("grouped/short_row.html")
	if _, err := e.sync(listsync.Options{}); !errors.Is(err, fetch.ErrLayout) || errors.Is(err, listsync.ErrNotAsConfigured) || !strings.Contains(err.Error(), "the source's layout changed") {
		t.Errorf("the same page after a complete sync: %v; want a layout change", err)
	}
}
