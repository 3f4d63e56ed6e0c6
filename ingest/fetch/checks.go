package fetch

import (
	"slices"
	"strings"
)

// SyncCheck names one of the checks of docs/sync.md that a source may switch
// off in its configuration (skip_checks), always with a written reason:
// some real sites fail one of them for good (a pager that counts its
// pages wrong), and without a way to say so the whole source would stay
// failed. Every check reads its switch through Skips.On, so what a
// configuration turns off is exactly what the run skips.
type SyncCheck string

// The checks a source may switch off.
const (
	CheckRecordCount SyncCheck = "record_count"
	CheckPageCount   SyncCheck = "page_count"
	CheckPageSize    SyncCheck = "page_size"
	CheckCurrentPage SyncCheck = "current_page"
	CheckProbe       SyncCheck = "probe"
	CheckOverlap     SyncCheck = "overlap"
	CheckKeyChars    SyncCheck = "key_chars"
	CheckMojibake    SyncCheck = "encoding_twins"
	CheckCounted     SyncCheck = "counted_removals"
)

// checkInfo says what a check guards and which kinds of source run it.
type checkInfo struct {
	doc   string
	kinds []string // "api", "html", "file"
}

var checks = map[SyncCheck]checkInfo{
	CheckRecordCount: {"every page that states the listing's record count (API total, 共N条) states the same one, and the distinct records held equal it", []string{"api", "html"}},
	CheckPageCount:   {"html: the page count a page states (共M页, 页次 x/M) is the same on every page, equals ⌈records ÷ page size⌉, and no page lies past it; off, the count is not read and the listing ends where its pages end", []string{"html"}},
	CheckPageSize:    {"html: no page holds more rows than the page size it states (每页N条), and every page before the last holds as many as the first", []string{"html"}},
	CheckCurrentPage: {"html: the page number a page states for itself (页次 3/5) is the one asked for", []string{"html"}},
	CheckProbe:       {"a listing whose last page is full is asked for one more page, and rows there fail the snapshot", []string{"api", "html"}},
	CheckOverlap:     {"no record (by key) is on two pages of a snapshot", []string{"api", "html"}},
	CheckKeyChars:    {"no key field holds U+FFFD or a control character", []string{"api", "html", "file"}},
	CheckCounted:     {"a snapshot removes (a record it lacks goes pending, a pending one is confirmed) only when the source states the listing's record count (API total, 共N条) and the records held equal it; off, a snapshot that states none removes too", []string{"api", "html"}},
	CheckMojibake:    {"a snapshot adding a record whose key is a missing record's key read in the wrong charset (许昌 as 璁告槍) fails instead of putting the old one pending removal", []string{"api", "html", "file"}},
}

// Checks lists the checks a source may switch off, in name order.
func Checks() []SyncCheck {
	out := make([]SyncCheck, 0, len(checks))
	for c := range checks {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// LookupCheck returns the check of a name as written in a configuration.
func LookupCheck(name string) (SyncCheck, bool) {
	c := SyncCheck(strings.TrimSpace(name))
	_, ok := checks[c]
	return c, ok
}

// Doc says what the check guards.
func (c SyncCheck) Doc() string { return checks[c].doc }

// AppliesTo reports whether sources of kind (api, html, file) run c.
func (c SyncCheck) AppliesTo(kind string) bool { return slices.Contains(checks[c].kinds, kind) }

// Skips are the checks a source switched off, each with its reason.
type Skips map[SyncCheck]string

// On reports whether check c runs.
func (s Skips) On(c SyncCheck) bool {
	_, off := s[c]
	return !off
}
