package transform

import (
	"fmt"
	"sort"
	"strings"
)

// The SQL below lets the engine recognise values that the Go functions of
// this package would return unchanged and accept: a file whose every value
// is already canonical can then be read by the engine itself. Each
// expression is derived from the same tables as the Go function it
// stands for, and is conservative: it may call a value not canonical that
// the function would accept, never the reverse (the tests check both
// against the Go functions).

// inertClass is a character class of runes that NFKC leaves alone in
// any text made only of them, and that are no white space: ASCII
// printable but the space, the CJK unified ideographs and the CJK
// punctuation the lists use (、。〃 〈〉《》「」『』【】 〔〕〖〗〘〙〚〛);
// all of them are NFKCInert. A test checks each of them, beside every
// ASCII one, against NormalizeText.
const (
	inertClass      = "!-~一-鿿、-〃〈-】〔-〛"
	inertInnerClass = " " + inertClass // a space may stand inside a value
)

// SQLString quotes s as a ClickHouse string literal.
func SQLString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// SQLStrings quotes ss as a ClickHouse array of string literals.
func SQLStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = SQLString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// SQLNormalText is true when NormalizeText(expr) == expr and expr is not
// empty: one or more inert runes, with nothing to trim at either end.
func SQLNormalText(expr string) string {
	return fmt.Sprintf("match(%s, %s)", expr, SQLString("^["+inertClass+"](?:["+inertInnerClass+"]*["+inertClass+"])?$"))
}

// SQLValidUSCC is true when expr is a normalised unified social credit
// code (NormalizeUSCC leaves it alone) that passes ValidateUSCC: 18
// characters of usccAlphabet, the last the check character of the first
// 17 (GB 32100-2015).
//
// Once the pattern has said the code is 18 characters of the alphabet
// (so 18 ASCII bytes), the check is integer arithmetic on the engine's
// columns: the bytes are read as three little-endian integers, each byte
// is looked up in a table of character values, and the weighted sum is
// compared with the value of the last character. This is about half the
// CPU of taking the code apart into 17 strings (it is evaluated for every
// record of a fast import).
func SQLValidUSCC(expr string) string {
	// A byte's value in the alphabet, by the byte; 0 for the bytes the
	// pattern excludes (arrayElement gives 0 past the end, too).
	values := make([]int, int(usccAlphabet[len(usccAlphabet)-1])+1)
	for i := range len(usccAlphabet) {
		values[usccAlphabet[i]] = i
	}
	table := make([]string, len(values))
	for i, v := range values {
		table[i] = fmt.Sprint(v)
	}
	value := func(pos int) string { // of the character at 1-based pos
		word, shift := fmt.Sprintf("reinterpretAsUInt64(substring(%s, %d, 8))", expr, (pos-1)/8*8+1), (pos-1)%8*8
		if pos > 16 {
			word, shift = fmt.Sprintf("reinterpretAsUInt16(substring(%s, 17, 2))", expr), (pos-17)*8
		}
		return fmt.Sprintf("arrayElement(CAST([%s], 'Array(UInt8)'), bitAnd(bitShiftRight(%s, %d), 255) + 1)", strings.Join(table, ", "), word, shift)
	}
	terms := make([]string, len(usccWeights))
	for i, w := range usccWeights {
		terms[i] = fmt.Sprintf("%s * %d", value(i+1), w)
	}
	return fmt.Sprintf("(match(%s, %s) AND (31 - (%s) %% 31) %% 31 = %s)",
		expr, SQLString("^["+usccAlphabet+"]{18}$"), strings.Join(terms, " + "), value(18))
}

// SQLISODate is true when expr is a date ParseDate reads as written
// (YYYY-MM-DD, a day that exists, within the years it accepts) and that a
// Date column holds as it is (from 1970): FormatDate of the result is
// expr itself.
func SQLISODate(expr string) string {
	from := fmt.Sprintf("%04d-01-01", minYear)
	to := fmt.Sprintf("%04d-12-31", min(maxYear, 2148))
	// No pattern: toString of a Date32 is always YYYY-MM-DD, so a text
	// equal to it is written so (and the engine evaluates every value).
	return fmt.Sprintf("(%[1]s BETWEEN %[2]s AND %[3]s AND toString(toDate32OrNull(%[1]s)) = %[1]s)",
		expr, SQLString(from), SQLString(to))
}

// BoolSpellings returns the spellings ParseBool reads (lower case, as it
// compares them) and what each means.
func BoolSpellings() map[string]bool {
	out := make(map[string]bool, len(boolSpellings))
	for k, v := range boolSpellings {
		out[k] = v
	}
	return out
}

// SQLCountyCode is true when expr is a county code ValidCountyCode
// accepts and CurrentCountyCode leaves as it is: 6 digits, not retired,
// and within Xuchang's range one of its divisions.
func SQLCountyCode(expr string) string {
	known := append([]string{CityCode}, zoneCodes...)
	for _, c := range xuchangCounties {
		known = append(known, c.Code)
	}
	return fmt.Sprintf("(match(%[1]s, '^[0-9]{6}$') AND %[1]s NOT IN %[2]s AND (NOT startsWith(%[1]s, %[3]s) OR %[1]s IN %[4]s))",
		expr, tupleOf(retiredCodes()), SQLString(xuchangPrefix), tupleOf(known))
}

// SQLCountyFromUSCC is CountyFromUSCC of a valid, normalised code.
func SQLCountyFromUSCC(expr string) string {
	div := fmt.Sprintf("substring(%s, 3, 6)", expr)
	old := retiredCodes()
	successors := make([]string, len(old))
	for i, o := range old {
		successors[i] = retiredCounties[o]
	}
	return fmt.Sprintf("if(length(%[1]s) = 18 AND match(%[2]s, '^[0-9]{6}$'), transform(%[2]s, %[3]s, %[4]s, %[2]s), '')",
		expr, div, SQLStrings(old), SQLStrings(successors))
}

// SQLNameKey is NormalizeName of an expr SQLNormalText accepts: the
// spaces dropped (' ' is the only white space such a text holds), ASCII
// letters lower-cased (lower is ASCII only, as NormalizeName's is), the
// bracket variants unified.
func SQLNameKey(expr string) string {
	var from, to strings.Builder
	for _, r := range openBrackets {
		from.WriteRune(r)
		to.WriteByte('(')
	}
	for _, r := range closeBrackets {
		from.WriteRune(r)
		to.WriteByte(')')
	}
	return fmt.Sprintf("translateUTF8(replaceAll(lower(%s), ' ', ''), %s, %s)", expr, SQLString(from.String()), SQLString(to.String()))
}

func retiredCodes() []string {
	out := make([]string, 0, len(retiredCounties))
	for old := range retiredCounties {
		out = append(out, old)
	}
	sort.Strings(out)
	return out
}

func tupleOf(ss []string) string {
	if len(ss) == 0 {
		return "('')" // no retired codes; '' never passes the 6-digit match
	}
	return "(" + strings.TrimSuffix(strings.TrimPrefix(SQLStrings(ss), "["), "]") + ")"
}
