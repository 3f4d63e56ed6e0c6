package transform

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// USCCAllowList holds legacy codes, mapped to a free-text note, that are
// legal although they fail the GB 32100-2015 check character: some
// pilot-era codes were issued before the rule was enforced. Listing them by
// hand keeps every other mistyped code a rejection. A nil list lists nothing.
type USCCAllowList map[string]string

// allowListHint tells the user how to recover from a rejected legacy code.
const allowListHint = "(if this is a legal legacy code, add it to the USCC allow-list file)"

// LoadUSCCAllowList reads an allow-list file: one code per line, optionally
// followed by whitespace or a comma and a note; blank lines and lines
// starting with # are ignored. The file is kept by people in a text editor,
// so it may be GBK or carry a BOM, and codes are normalised like those in
// the data. A line whose code is not 18 letters or digits is an error: a
// truncated code in this file would otherwise silently never match.
func LoadUSCCAllowList(r io.Reader) (USCCAllowList, error) {
	text, _, err := DecodeReader(r)
	if err != nil {
		return nil, fmt.Errorf("read USCC allow-list: %w", err)
	}
	list := USCCAllowList{}
	sc := bufio.NewScanner(text)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		// Only the code is normalised: the note is for people and stays as
		// they wrote it.
		line := strings.TrimFunc(sc.Text(), isTrimmable)
		if line == "" || strings.HasPrefix(NormalizeText(line), "#") {
			continue
		}
		code, note := line, ""
		if i := strings.IndexFunc(line, isNoteSeparator); i >= 0 {
			// "CODE, note", "CODE # note" and "CODE\tnote" all mean the same.
			code, note = line[:i], strings.TrimLeftFunc(line[i:], func(r rune) bool {
				return isNoteSeparator(r) || r == '#' || r == '＃'
			})
		}
		code = NormalizeUSCC(code)
		if len(code) != 18 || !isAlnumUpper(code) {
			return nil, fmt.Errorf("USCC allow-list line %d: %q is not an 18-character code", n, code)
		}
		list[code] = note
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read USCC allow-list: %w", err)
	}
	return list, nil
}

// Check accepts a normalised code that passes ValidateUSCC or is listed. A
// rejection keeps wrapping ErrUSCC and says how to accept the code if it is
// genuine, because the person reading it is the one who can.
func (a USCCAllowList) Check(code string) error {
	err := ValidateUSCC(code)
	if err == nil {
		return nil
	}
	if _, ok := a[code]; ok {
		return nil
	}
	return fmt.Errorf("%w %s", err, allowListHint)
}

// isNoteSeparator accepts the full-width comma too, since Chinese input
// methods type it by default.
func isNoteSeparator(r rune) bool {
	return r == ',' || r == '，' || isTrimmable(r)
}

func isAlnumUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}
