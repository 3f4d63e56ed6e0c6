package listsync_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
)

// trsPagesTOML is a TRS-style site's listing, whose pager is a script
// only: <script>createPageHTML(2, 0, "index", "html");</script>.
const trsPagesTOML = `
[[source]]
name = "city-abnormal"
list = "abnormal"
kind = "html"
page_template = "{site}/jyyc/list.html?page={page}"
row_selector = "table.list tr:not(.title)"
header_selector = "table.list tr.title th"
page_count_selector = "{selector}"
page_count_pattern = 'createPageHTML\((\d+)'
empty_text = "暂无数据"
ignore_columns = ["序号"]
rate = 0
retries = 0
`

// A page count printed by script only is read from the script that
// page_count_selector names: it read as "", and the sync failed. And a
// pager that does not read as configured on page 1 of a source that has
// never synced is its configuration (ErrNotAsConfigured, with a hint at
// the configuration), not "the listing broke off; the next sync resumes
// from the last complete page", which the next sync repeated.
func TestPageCountInAScript(t *testing.T) {
	t.Parallel()
	pages := func(n int) string {
		if n > 2 {
			return ""
		}
		return "trs/page" + string(rune('0'+n)) + ".html"
	}
	e := siteEnv(t, pages, strings.ReplaceAll(trsPagesTOML, "{selector}", "div.page"))
	for _, tt := range []struct {
		name, selector  string
		want            error // nil: the sync reads the listing
		notAsConfigured bool
		says            string
	}{
		{"the pager's element, on a first sync", "div.page", fetch.ErrIncomplete, true,
			"the pages do not read as configured (the source has never synced): the page count at \"div.page\" reads \"\""},
		{"the script", "div.page script", nil, false, ""},
		{"the pager's element, once the source synced", "div.page", fetch.ErrIncomplete, false,
			"the element's text is in a <script>, which is read only when the selector names the script itself"},
	} {
		e.cfg.Sources[0].PageCountSelector = tt.selector
		res, err := e.sync(listsync.Options{})
		if tt.want == nil {
			if err != nil || !res[0].Complete || res[0].Rows != 4 || res[0].Added != 4 {
				t.Errorf("%s: %+v, %v; want the 4 records of both pages", tt.name, res[0], err)
			}
			continue
		}
		if !errors.Is(err, tt.want) || errors.Is(err, listsync.ErrNotAsConfigured) != tt.notAsConfigured || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: %v; want %v (not as configured: %v) saying %q", tt.name, err, tt.want, tt.notAsConfigured, tt.says)
		}
		if hint := "check the source's configuration"; tt.notAsConfigured != strings.Contains(err.Error(), hint) {
			t.Errorf("%s: %v; want the hint %q: %v", tt.name, err, hint, tt.notAsConfigured)
		}
	}
}

// A key holding U+FFFD (a name the site, or a system before it, decoded
// wrongly) failed as a layout change, its hint sending people to the
// selectors: it is text in the wrong charset or corrupt
// (fetch.ErrCharset), with a hint saying so, on a first sync too.
func TestReplacementCharacterInAKey(t *testing.T) {
	t.Parallel()
	e := siteEnv(t, every("keychars/fffd.html"), abnormalPagesTOML)
	_, err := e.sync(listsync.Options{})
	for _, tt := range []struct {
		err  error
		want bool
	}{{fetch.ErrCharset, true}, {fetch.ErrLayout, false}, {listsync.ErrNotAsConfigured, false}} {
		if errors.Is(err, tt.err) != tt.want {
			t.Errorf("%v: errors.Is %v = %v, want %v", err, tt.err, !tt.want, tt.want)
		}
	}
	for _, says := range []string{`record 1: key field name (企业名称) holds U+FFFD at byte 6`, "hint: the text is broken, not the layout"} {
		if err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%v: want it to say %q", err, says)
		}
	}
}
