package transform

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NormalizeText folds compatibility characters with NFKC and trims
// surrounding white space. Spreadsheets typed on Chinese input methods mix
// full-width digits, letters, brackets and the ideographic space U+3000 with
// their ASCII forms; folding them first lets every later parser and
// validator deal with ASCII only. Inner text is otherwise left alone because
// it may be shown back to people.
func NormalizeText(s string) string {
	return strings.TrimFunc(norm.NFKC.String(s), isTrimmable)
}

// isTrimmable also drops U+FEFF: a byte-order mark that survived into a cell
// (a pasted header, a concatenated file) is invisible and must not become
// part of a key.
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
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case strings.ContainsRune(openBrackets, r):
			r = '('
		case strings.ContainsRune(closeBrackets, r):
			r = ')'
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
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
