package htmllist

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/transform"
)

// The claims real Chinese list pages print about their listing, read
// from the page's text outside its rows (NFKC-folded, so ： is :). Each
// pattern's first group is the number; for "x/M" forms the second group
// is the page count and the first the current page.
var (
	recordClaims = []*regexp.Regexp{
		claimPattern(`共\s*#\s*条`),
		claimPattern(`共有\s*#\s*条`),
		claimPattern(`总(?:记录)?数\s*:?\s*#`),
		claimPattern(`总共\s*#\s*条`),
		claimPattern(`记录数\s*:?\s*#`),
	}
	pageClaims = []*regexp.Regexp{
		claimPattern(`共\s*#\s*页`),
		claimPattern(`总页数\s*:?\s*#`),
	}
	currentOfClaims = []*regexp.Regexp{
		claimPattern(`页次\s*:?\s*#\s*/\s*#`),
		claimPattern(`第\s*#\s*/\s*#\s*页`),
		claimPattern(`当前\s*(?:第\s*)?#\s*/\s*#`),
	}
	sizeClaims = []*regexp.Regexp{
		claimPattern(`每页\s*(?:显示)?\s*#\s*条`),
		claimPattern(`#\s*条\s*/\s*页`),
	}
)

// notTheListing are counts a page prints that are not its listing's,
// though they read like one: the rows of this page (本页共10条, 当前页记录数：10),
// what was added today (今日新增3条), the site's visits (网站访问总数：1234567).
// They are taken out of the text before the claims are read: read as the
// record count, a page's own rows "proved" a listing of one page complete.
var notTheListing = claimPattern(`(?:本页|当前页|此页|该页|这页)\s*(?:共有|共计|共|记录数|条数|记录)?\s*:?\s*#\s*条?|(?:今日|今天|本日|本周|本月|昨日)\s*(?:新增|更新|发布)\s*(?:记录)?\s*:?\s*#\s*条?|(?:访问|浏览|点击|访客)\s*(?:总)?(?:数|量|次数|人数)\s*:?\s*#`)

// number is how pages write a count: 1234, or 1,234 with thousands
// separators (， folded to , by NFKC).
const number = `(\d{1,3}(?:,\d{3})+|\d+)`

// claimPattern compiles a claim's pattern, # standing for a number.
func claimPattern(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, "#", number))
}

// atoi reads a number as number matches it.
func atoi(s string) (int, error) { return strconv.Atoi(strings.ReplaceAll(s, ",", "")) }

// claim is one number a page states and the text that stated it.
type claim struct {
	n    int
	text string
}

// readClaims reads the listing's claims that no selector is configured
// for, from the page's text outside its rows, and fails when the page
// states one of them twice with different numbers.
func (c *Client) readClaims(page *Page, doc *goquery.Document) error {
	// The records' text is no claim (a name may hold 共3条); a note row
	// among them (the pager printed as the table's last row) is read.
	outside := doc.Clone()
	outside.Find(c.cfg.RowSelector).Each(func(_ int, row *goquery.Selection) {
		if !noteRow(row, laidOut(row), len(page.Header)) {
			row.Remove()
		}
	})
	text := notTheListing.ReplaceAllString(transform.NormalizeText(visibleText(outside)), " ")
	one := func(what string, res []*regexp.Regexp, group int) (claim, error) {
		var got claim
		got.n = -1
		for _, re := range res {
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				n, err := atoi(m[group])
				if err != nil {
					continue
				}
				if got.n >= 0 && n != got.n {
					return got, fmt.Errorf("%w: page %d states the %s twice: %q and %q", fetch.ErrClaims, page.Number, what, got.text, m[0])
				}
				got = claim{n, m[0]}
			}
		}
		return got, nil
	}
	if c.cfg.RecordCountSelector == "" {
		r, err := one("record count", recordClaims, 1)
		if err != nil {
			return err
		}
		page.Claimed = r.n
	}
	// A check switched off (skip_checks) is not read at all: the
	// listing then ends where its pages end, and agree has nothing of
	// it to compare.
	on := c.cfg.Skip.On
	if on(fetch.CheckPageCount) {
		pages, err := one("page count", pageClaims, 1)
		if err != nil {
			return err
		}
		of, err := one("page count", currentOfClaims, 2)
		if err != nil {
			return err
		}
		if pages.n >= 0 && of.n >= 0 && pages.n != of.n {
			return fmt.Errorf("%w: page %d claims %q and %q", fetch.ErrClaims, page.Number, pages.text, of.text)
		}
		if c.cfg.PageCountSelector == "" {
			page.Total = max(pages.n, of.n)
		} else if n := max(pages.n, of.n); n >= 0 && n != page.Total {
			return fmt.Errorf("%w: page %d claims %d pages at %q and %q", fetch.ErrClaims, page.Number, page.Total, c.cfg.PageCountSelector, max(pages.text, of.text))
		}
	}
	if on(fetch.CheckCurrentPage) {
		cur, err := one("current page", currentOfClaims, 1)
		if err != nil {
			return err
		}
		page.Current = cur.n
	}
	if on(fetch.CheckPageSize) {
		size, err := one("page size", sizeClaims, 1)
		if err != nil {
			return err
		}
		page.Size = size.n
	}
	return nil
}

// agree checks a page's claims against each other, against what earlier
// pages claimed and against its rows, and keeps what the listing learns
// in pos (page count, page size).
func (c *Client) agree(page Page, pos *position, rows int) error {
	if page.Current >= 0 && page.Current != pos.Page {
		return fmt.Errorf("page %d of the listing says it is page %d", pos.Page, page.Current)
	}
	if page.Total >= 0 {
		if pos.Pages > 0 && page.Total != pos.Pages {
			return fmt.Errorf("the listing claimed %d pages before page %d and %d on it: the list changed while it was read, or its pager is wrong", pos.Pages, pos.Page, page.Total)
		}
		pos.Pages = page.Total
	}
	if pos.Pages > 0 && pos.Page > pos.Pages && rows > 0 {
		return fmt.Errorf("page %d holds %d records, past the %d pages the listing claims", pos.Page, rows, pos.Pages)
	}
	switch {
	case page.Size > 0:
		if pos.Size > 0 && page.Size != pos.Size {
			return fmt.Errorf("page %d claims %d records a page, an earlier one %d", pos.Page, page.Size, pos.Size)
		}
		pos.Size = page.Size
		if rows > page.Size {
			return fmt.Errorf("page %d holds %d records, more than the %d a page it claims", pos.Page, rows, page.Size)
		}
	case pos.Size == 0 && pos.Pages > 1 && pos.Page < pos.Pages:
		// A page before the last is full: its rows are the page size.
		pos.Size = rows
	case pos.Size > 0 && pos.Page < pos.Pages && rows != pos.Size && rows > 0 && c.cfg.Skip.On(fetch.CheckPageSize): // an empty page is ErrIncomplete's
		return fmt.Errorf("page %d of %d holds %d records; page 1 held %d", pos.Page, pos.Pages, rows, pos.Size)
	}
	if page.Claimed >= 0 && pos.Pages > 0 && pos.Size > 0 {
		if want := max((page.Claimed+pos.Size-1)/pos.Size, 1); want != pos.Pages {
			return fmt.Errorf("the page claims %d records and %d pages, but %d records at %d a page make %d pages", page.Claimed, pos.Pages, page.Claimed, pos.Size, want)
		}
	}
	return nil
}

var digitRun = regexp.MustCompile(`\d+`)

// successor is the URL of the page after cur, when the link from prev to
// cur shows how pages are numbered: the two differ in one number, cur's
// one greater. Otherwise there is no telling, and ok is false.
func successor(prev, cur string) (string, bool) {
	ps, cs := digitRun.FindAllStringIndex(prev, -1), digitRun.FindAllStringIndex(cur, -1)
	if len(ps) != len(cs) || digitRun.ReplaceAllString(prev, "#") != digitRun.ReplaceAllString(cur, "#") {
		return "", false
	}
	at := -1
	for i := range cs {
		a, b := prev[ps[i][0]:ps[i][1]], cur[cs[i][0]:cs[i][1]]
		if a == b {
			continue
		}
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		if at >= 0 || y != x+1 {
			return "", false
		}
		at = i
	}
	if at < 0 {
		return "", false
	}
	n, _ := strconv.Atoi(cur[cs[at][0]:cs[at][1]])
	return cur[:cs[at][0]] + strconv.Itoa(n+1) + cur[cs[at][1]:], true
}
