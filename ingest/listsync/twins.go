package listsync

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/transform"
)

// ErrMojibake means a complete snapshot adds a record whose key is the
// key of a record it lacks, read in the wrong charset: the site (or a
// gateway before it) served valid text that is the wrong text, which no
// check of the bytes can see. Loading it would add the garbled record and
// put the real one pending removal, and the next snapshot would remove
// it. Nothing of the snapshot is loaded or removed.
var ErrMojibake = errors.New("a new record is a missing one read in the wrong charset")

const hintMojibake = "nothing was loaded or removed and the previous data stands. Look at the page in raw_pages ('creditsync sync --replay RUN'): " +
	"if the site really renamed the records, switch the check off for one sync with skip_checks = [{ check = \"encoding_twins\", reason = \"…\" }]"

// misreading is one way text becomes other, valid text: its bytes in one
// charset read in another. from nil means the text's own UTF-8 bytes.
type misreading struct {
	name     string
	from, as encoding.Encoding // as nil: read as UTF-8
}

// misreadings are the mix-ups of Chinese sites and their gateways: UTF-8
// read as GBK/GB18030 (许昌 → 璁告槍) and back, and either read as
// Windows-1252 or Big5 by software that assumed those.
var misreadings = []misreading{
	{"UTF-8 read as GB18030", nil, simplifiedchinese.GB18030},
	{"GB18030 read as UTF-8", simplifiedchinese.GB18030, nil},
	{"UTF-8 read as Windows-1252", nil, charmap.Windows1252},
	{"GB18030 read as Windows-1252", simplifiedchinese.GB18030, charmap.Windows1252},
	{"UTF-8 read as Big5", nil, traditionalchinese.Big5},
	{"GB18030 read as Big5", simplifiedchinese.GB18030, traditionalchinese.Big5},
}

// apply returns s misread, normalised as a record's values are, and
// whether the misreading changed it (ASCII passes through every one).
// A decoder's U+FFFD for bytes it cannot read is kept: a site that
// misreads writes what its decoder gives.
func (m misreading) apply(s string) (string, bool) {
	b := []byte(s)
	if m.from != nil {
		var err error
		if b, err = m.from.NewEncoder().Bytes(b); err != nil {
			return "", false
		}
	}
	var out string
	if m.as == nil {
		out = strings.ToValidUTF8(string(b), string(utf8.RuneError))
	} else {
		d, err := m.as.NewDecoder().Bytes(b)
		if err != nil {
			return "", false
		}
		out = string(d)
	}
	out = transform.NormalizeText(out)
	return out, out != s
}

// wildcard folds what decoders disagree on: bytes in GB18030's (and
// Big5's) user-defined areas, which x/text's decoders read as U+FFFD and
// Java, ICU, iconv and Python as private-use characters (公司's bytes read
// as GB18030 give 鍏\uE100徃 there, 鍏\uFFFD徃 here). Compared so, a
// gateway's misreading matches this model's whichever decoder it ran.
func wildcard(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xE000 && r <= 0xF8FF || r >= 0xF0000 { // the private-use areas
			return utf8.RuneError
		}
		return r
	}, s)
}

// twin is a new record that is a missing one misread.
type twin struct {
	added, missing, how string
}

// checkTwins fails a complete snapshot in which a record that is new
// has, part for part, the identity (the list's key columns as published:
// the name for name_key) of a listed record the snapshot lacks, misread
// in one of the misreadings — or the other way round, the missing one
// being the misreading (a site that fixed its charset: a person decides).
func (r *runner) checkTwins(before map[string]known, snapshot map[string]parsed, order []string) error {
	if r.src.Mode != ModeSnapshot || !r.src.skips().On(fetch.CheckMojibake) {
		return nil
	}
	var added []string
	for _, key := range order {
		if prev, seen := before[key]; !seen || prev.removedOn != nil {
			added = append(added, key)
		}
	}
	if len(added) == 0 {
		return nil
	}
	cols := r.identity()
	identity := func(record string) ([]string, error) {
		var v map[string]string
		if err := json.Unmarshal([]byte(record), &v); err != nil {
			return nil, err
		}
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = v[c]
		}
		return parts, nil
	}
	misread := func(parts []string, m misreading) (string, bool) {
		out := make([]string, len(parts))
		changed := false
		for i, p := range parts {
			t, ch := m.apply(p)
			if !ch {
				t = p
			}
			out[i], changed = t, changed || ch
		}
		return wildcard(strings.Join(out, "\x1f")), changed
	}
	// The missing records, by identity and by each misreading of it.
	missing := map[string]string{}
	misreadMissing := map[string]twin{}
	for _, key := range slices.Sorted(maps.Keys(before)) {
		k := before[key]
		if k.removedOn != nil {
			continue
		}
		if _, ok := snapshot[key]; ok {
			continue
		}
		parts, err := identity(k.record)
		if err != nil {
			return fmt.Errorf("known record %s: %w", KeyText(key), err)
		}
		missing[wildcard(strings.Join(parts, "\x1f"))] = key
		for _, m := range misreadings {
			if t, ok := misread(parts, m); ok {
				if _, dup := misreadMissing[t]; !dup {
					misreadMissing[t] = twin{missing: key, how: m.name}
				}
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var found []twin
	for _, key := range added {
		parts, err := identity(snapshot[key].record)
		if err != nil {
			return fmt.Errorf("record %s: %w", KeyText(key), err)
		}
		if tw, ok := misreadMissing[wildcard(strings.Join(parts, "\x1f"))]; ok {
			tw.added = key
			found = append(found, tw)
			continue
		}
		for _, m := range misreadings {
			if t, ok := misread(parts, m); ok {
				if mk, ok := missing[t]; ok {
					found = append(found, twin{added: key, missing: mk, how: m.name + ", the other way: the missing record is the misreading"})
					break
				}
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	var b strings.Builder
	for i, tw := range found {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(found)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "new record %q is missing record %q (%s)", KeyText(tw.added), KeyText(tw.missing), tw.how)
	}
	return &fetch.Error{Source: r.src.Name, Err: fmt.Errorf("%w: %s", ErrMojibake, b.String()), Hint: hintMojibake}
}

// misreadChanges names the records of a snapshot changed only by being
// misread: a value outside the key (a reason, an authority, a penalty's
// name) that is its stored value read in the wrong charset, or the other
// way round. The key decides what a record is, so such a record is not
// refused as a twin is; it is loaded as modified, and the run says so.
func (r *runner) misreadChanges(before map[string]known, snapshot map[string]parsed, order []string) []string {
	if r.src.Mode != ModeSnapshot || !r.src.skips().On(fetch.CheckMojibake) {
		return nil
	}
	var notes []string
	for _, key := range order {
		prev, seen := before[key]
		p := snapshot[key]
		if !seen || prev.removedOn != nil || prev.hash == p.hash {
			continue
		}
		var was, is map[string]string
		if json.Unmarshal([]byte(prev.record), &was) != nil || json.Unmarshal([]byte(p.record), &is) != nil {
			continue
		}
	columns:
		for _, c := range r.list.Columns {
			old, now := was[c.Key], is[c.Key]
			if old == now || old == "" || now == "" {
				continue
			}
			for _, m := range misreadings {
				if t, ok := m.apply(old); ok && wildcard(t) == wildcard(now) {
					notes = append(notes, fmt.Sprintf("record %q: %s %q is %q misread (%s)", KeyText(key), c.Key, now, old, m.name))
					continue columns
				}
				if t, ok := m.apply(now); ok && wildcard(t) == wildcard(old) {
					notes = append(notes, fmt.Sprintf("record %q: %s %q was stored misread as %q (%s)", KeyText(key), c.Key, now, old, m.name))
					continue columns
				}
			}
		}
	}
	return notes
}
