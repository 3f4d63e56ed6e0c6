package listsync

// Bounding: a listing whose pages never end (a next link or next_url
// that always leads on, to new records) is stopped while it is read,
// not after its last page, which never comes.

import (
	"fmt"
	"strings"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/file"
)

// DefaultMaxPages bounds a snapshot of a source that sets no max_pages
// and whose pages claim no record count: at the default rate of a page
// a second it is five and a half hours, a night's window, and 200,000
// records at 10 a page, more than any list a city or province publishes
// on one listing. A source that really spans more sets max_pages (its
// runs then stop there and the next resumes).
const DefaultMaxPages = 20000

// listingBound follows a snapshot's pages as they arrive (the fetch's
// per-page path) and fails the snapshot as soon as what it read can no
// longer prove complete: more distinct records than the pages claim
// (the first claim read; every page must claim the same, prove) or than
// max_rows, or, when max_pages is not set, more pages than the claim
// takes (twice over, and two for the probe past a full last page) or
// than DefaultMaxPages without a claim. Fetching on would read forever
// and fail at the end anyway, if the end came.
type listingBound struct {
	r          *runner
	claim      int // -1 until a page claims a count
	claimPage  int
	perPage    int // records on the first page read
	keys       map[string]struct{}
	mappings   map[string]*contract.Mapping // by header and serial dates; nil: the header does not map
	checkCount bool
}

func (r *runner) newListingBound() *listingBound {
	return &listingBound{r: r, claim: -1, keys: map[string]struct{}{}, mappings: map[string]*contract.Mapping{},
		checkCount: r.src.skips().On(fetch.CheckRecordCount)}
}

// page takes the next page read; an error fails the snapshot. Records of
// pages an earlier run stored (a resumed snapshot) are not counted: the
// count is a lower bound, the page number is not.
func (b *listingBound) page(p page) error {
	if b.claim < 0 && p.Claimed >= 0 {
		b.claim, b.claimPage = p.Claimed, p.Number
	}
	if b.perPage == 0 {
		b.perPage = len(p.Records)
	}
	m := b.mapping(p)
	for _, rec := range p.Records {
		b.keys[b.key(m, rec)] = struct{}{}
	}
	read := len(b.keys)
	fail := func(sentinel error, format string, a ...any) error {
		e := b.r.failed(sentinel, hintEndless, format, a...)
		e.(*fetch.Error).Page, e.(*fetch.Error).URL = p.Number, p.URL
		return e
	}
	if b.checkCount && b.claim >= 0 && read > b.claim {
		return fail(ErrNotProven, "%d pages read hold %d distinct records, more than the %d the source claims (page %d): the listing goes on past its own count",
			p.Number, read, b.claim, b.claimPage)
	}
	if limit := b.r.src.MaxRows; limit > 0 && read > limit {
		return fail(ErrAssertion, "%d pages read hold %d distinct records, more than max_rows %d", p.Number, read, limit)
	}
	if b.r.src.MaxPages == 0 {
		if limit, why := b.maxPages(); p.Number > limit {
			return fail(ErrNotProven, "%d pages read, more than %s: the listing does not end", p.Number, why)
		}
	}
	return nil
}

// hintEndless is what a person can do about a listing that goes on.
const hintEndless = "nothing was loaded or removed and the previous data stands; the site keeps serving pages (a next link that never ends, a count it does not keep): check the listing by hand. If it is really that long, set max_pages, or max_rows above it"

// maxPages is the snapshot's page bound when max_pages is not set, and
// what it derives from.
func (b *listingBound) maxPages() (int, string) {
	if b.checkCount && b.claim >= 0 && b.perPage > 0 {
		need := (b.claim + b.perPage - 1) / b.perPage
		return 2*need + 2, fmt.Sprintf("the %d its count takes twice over and two (%d records claimed on page %d, at the %d a page of the first page read)",
			2*need+2, b.claim, b.claimPage, b.perPage)
	}
	return DefaultMaxPages, fmt.Sprintf("%d, the bound of a source without max_pages whose pages claim no count", DefaultMaxPages)
}

// mapping is the page's header mapped as validation maps it (the
// source's allow-list, the page's serial dates); nil when it does not
// map (checkPage fails such a page).
func (b *listingBound) mapping(p page) *contract.Mapping {
	serial := file.SerialDatesOf(p.Encoding)
	h := fmt.Sprintf("%d\x1e%s", serial, strings.Join(p.Header, "\x1f"))
	if m, ok := b.mappings[h]; ok {
		return m
	}
	m, err := b.r.mapping(p.Header, serial)
	if err != nil {
		m = nil
	}
	b.mappings[h] = m
	return m
}

// key is a record's key as validation will make it (contract's
// Mapping.Key, the one derivation of a key from a record's cells), so
// that two spellings of one record count once, as the count proof counts
// them. A record whose key does not parse (validation rejects it, and
// the proof counts it as one) or whose header does not map keys by
// every cell.
func (b *listingBound) key(m *contract.Mapping, rec []string) string {
	if m != nil {
		if k, ok := m.Key(rec); ok {
			return recordKey(k)
		}
	}
	return "\x00" + strings.Join(rec, "\x1f")
}
