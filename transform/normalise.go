package transform

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeText folds compatibility characters with NFKC and trims
// surrounding white space. Spreadsheets typed on Chinese input methods mix
// full-width digits, letters, brackets and the ideographic space U+3000 with
// their ASCII forms; folding them first lets every later parser and
// validator deal with ASCII only. The invisible format characters are left
// out, as WrittenText leaves them: a zero-width space or a soft hyphen in
// a decision number or a record id made it another key, two records where
// the page and the file show one. Inner text is otherwise left alone
// because it may be shown back to people.
func NormalizeText(s string) string {
	if !NFKCInert(s) {
		s = nfkc(s)
	}
	if strings.IndexFunc(s, isFormat) >= 0 {
		s = dropFormat(s)
	}
	return strings.TrimFunc(s, isTrimmable)
}

// dropFormat leaves out the invisible format characters (isFormat),
// every other byte as it was (strings.Map would replace bytes that are
// not UTF-8).
func dropFormat(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isFormat(r) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// nfkc is norm.NFKC.String(s), rune by rune when it can be. NFKC splits
// a text into segments at each rune that nothing before it can combine
// with (a boundary before it) and normalises each segment on its own;
// when every rune of s has that boundary, each rune is a segment, and
// the result is each rune's own normal form in turn: itself for an inert
// rune, a table's entry for the others (the full-width forms, the
// ideographic space, circled digits, ㎡). A name with full-width
// brackets is the usual case; the norm package's general algorithm costs
// several times more.
func nfkc(s string) string {
	inert, own := inertRunes(), runeNFKC()
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError || r >= 0x10000:
			return norm.NFKC.String(s)
		case inert[r/64]&(1<<(r%64)) != 0:
			b.WriteString(s[i : i+size])
		default:
			m, ok := own[r]
			if !ok {
				return norm.NFKC.String(s)
			}
			b.WriteString(m)
		}
		i += size
	}
	return b.String()
}

// runeNFKC holds the runes of the Basic Multilingual Plane that NFKC
// changes and that nothing before them combines with, nor with any rune
// of their normal form, each with that normal form.
var runeNFKC = sync.OnceValue(func() map[rune]string {
	m := map[rune]string{}
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		c := string(r)
		if n := norm.NFKC.String(c); n != c && norm.NFKC.PropertiesString(c).BoundaryBefore() && boundedRunes(n) {
			m[r] = n
		}
	}
	return m
})

// boundedRunes reports whether nothing before any rune of s combines
// with it. A rune's normal form must be so to stand in for it: a
// compatibility jamo (ㅙ) has a boundary before it, but its normal form,
// a medial vowel, composes with the initial consonant before it.
func boundedRunes(s string) bool {
	for _, r := range s {
		if !norm.NFKC.PropertiesString(string(r)).BoundaryBefore() {
			return false
		}
	}
	return true
}

// inertRunes marks the runes of the Basic Multilingual Plane that NFKC
// leaves as they are in any text made only of such runes: each is its
// own normal form and nothing before it can combine with it (a boundary
// before it), so every one is a segment of its own (see nfkc). ASCII and
// the CJK ideographs that make up almost every cell are inert, and
// checking a string against this table costs far less than normalising
// it (a national import normalises 100 million cells). A letter is
// inert though a combining accent after it would compose with it: the
// accent is not inert, and a text holding one is normalised.
var inertRunes = sync.OnceValue(func() *[0x10000 / 64]uint64 {
	var t [0x10000 / 64]uint64
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // surrogates are not characters
		}
		c := string(r)
		p := norm.NFKC.PropertiesString(c)
		if p.BoundaryBefore() && norm.NFKC.String(c) == c {
			t[r/64] |= 1 << (r % 64)
		}
	}
	return &t
})

// NFKCInert reports whether NFKC leaves s unchanged for the simple
// reason that every rune of it is one NFKC never touches (see
// inertRunes). False does not mean s would change.
func NFKCInert(s string) bool {
	t := inertRunes()
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if t[c/64]&(1<<(c%64)) == 0 {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || r >= 0x10000 || t[r/64]&(1<<(r%64)) == 0 {
			return false
		}
		i += size
	}
	return true
}

// isTrimmable also drops U+FEFF: a byte-order mark that survived into a cell
// (a pasted header, a concatenated file) is invisible and must not become
// part of a key.
// WrittenText is text shown back as it was written — an institution's
// legal name, an authority, a decision's wording: surrounding white space
// trimmed and the invisible format characters left out (Unicode's Cf:
// zero-width spaces and joiners, word joiners, soft hyphens, direction
// marks), which sites scatter through names to spoil copying and no reader
// sees. Everything else stays as written: full-width brackets, commas and
// colons, the ideographic space. NormalizeText folds those, for validation
// and matching (NormalizeName).
func WrittenText(s string) string {
	if strings.IndexFunc(s, isFormat) >= 0 {
		s = dropFormat(s)
	}
	return strings.TrimFunc(s, isTrimmable)
}

// ControlRune returns the first control character of s — C0, DEL or C1 —
// that is not white space (tab, line feed and carriage return are), or
// the first noncharacter (IsNoncharacter), and whether s holds one. No
// value of a list holds one: typed into a name (ESC [2J, BEL), a control
// would act on the terminal that prints it and break the workbook that
// writes it; a noncharacter (U+FFFE) is no text either, and a workbook
// cannot hold it (the spreadsheet writer turns it into U+FFFD, so the
// name would differ between the CSV and the XLSX of one report).
func ControlRune(s string) (rune, bool) {
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') || IsNoncharacter(r) {
			return r, true
		}
	}
	return 0, false
}

// IsNoncharacter reports one of Unicode's 66 noncharacters: U+FDD0 to
// U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF,
// U+1FFFE, …), reserved for a program's internal use and never text.
func IsNoncharacter(r rune) bool {
	return (r >= 0xFDD0 && r <= 0xFDEF) || (r >= 0xFFFE && r&0xFFFE == 0xFFFE && r <= unicode.MaxRune)
}

// ShowControls writes each control character of s (C0, DEL, C1; tab,
// line feed and carriage return included) as a Go escape (\x1b, \u009b),
// so that printing a stored value — one stored before ControlRune's
// values were refused — shows it instead of acting on the terminal.
func ShowControls(s string) string {
	shown := func(r rune) bool { return unicode.IsControl(r) || IsNoncharacter(r) }
	if strings.IndexFunc(s, shown) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !shown(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

// isFormat reports an invisible character: a format character (Unicode
// category Cf: zero-width spaces and joiners, soft hyphens, direction
// marks), a variation selector, or one of Unicode's other default
// ignorables (the combining grapheme joiner U+034F, the Hangul fillers
// U+115F, U+1160, U+3164 and U+FFA0), which no reader sees either.
func isFormat(r rune) bool {
	return r >= 0xAD && (unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r))
}

func isTrimmable(r rune) bool {
	return unicode.IsSpace(r) || r == '\uFEFF'
}

// NormalizeUSCC prepares a unified social credit code for validation and for
// use as the join key: codes are copied by hand in groups ("9141 1023 …"),
// typed in full width or lower case, and must still meet the same key.
func NormalizeUSCC(s string) string {
	return strings.ToUpper(removeSpace(NormalizeText(s)))
}

// NormalizeName returns the key under which institution names are matched
// when an external record lacks a USCC. Publishers disagree on bracket
// styles (腾讯科技（深圳）有限公司 / 腾讯科技(深圳)有限公司 / 〔深圳〕), on spaces
// and on the case of Latin letters, none of which tell two institutions
// apart. The key is for comparison only, never for display.
func NormalizeName(s string) string {
	s = NormalizeText(s)
	if nameKeyAlready(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), isFormat(r):
			continue
		case r < utf8.RuneSelf && r != '[' && r != ']' && r != '{' && r != '}':
			// ASCII other than the brackets below is kept (or lower-cased).
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		case strings.ContainsRune(openBrackets, r):
			r = '('
		case strings.ContainsRune(closeBrackets, r):
			r = ')'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nameKeyAlready reports whether NormalizeName's loop would change
// nothing in s (already normalised): no space, no capital, no bracket
// variant. Most names pass, and are then returned without a copy.
func nameKeyAlready(s string) bool {
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if ('A' <= r && r <= 'Z') || r == '[' || r == ']' || r == '{' || r == '}' || unicode.IsSpace(r) {
				return false
			}
		case unicode.IsSpace(r) || isFormat(r) || strings.ContainsRune(openBrackets, r) || strings.ContainsRune(closeBrackets, r):
			return false
		}
	}
	return true
}

// Bracket variants used around a place name or branch in institution names,
// after NFKC has already folded （）［］﹙﹚﹝﹞. Book-title marks 《》〈〉 are
// left out: they quote a title and are not interchangeable with brackets.
const (
	openBrackets  = "[〔【〖〘〚{"
	closeBrackets = "]〕】〗〙〛}"
)

func removeSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if isTrimmable(r) {
			return -1
		}
		return r
	}, s)
}
