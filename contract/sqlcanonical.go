package contract

import (
	"fmt"
	"sort"
	"strings"

	"github.com/xuchang-hrss/creditsync/transform"
)

// Canonical says in SQL which input records Mapping.Parse would accept
// unchanged, and what it would store for them, so that the engine can
// read a file of such records itself. It is built from the same
// definitions Parse uses (the column kinds, the enum maps, transform's
// tables and the cross-column checks) and is conservative: Where may be
// false for a record Parse accepts (the caller then parses that one in
// Go), never true for a record Parse rejects or stores differently.
type Canonical struct {
	// Values holds one SQL expression per stored column
	// (List.StoredColumns order): what Parse stores for a record Where
	// accepts.
	Values []string
	// Where is true for a record whose every value is canonical and
	// valid; it is never NULL.
	Where string
}

// Canonical returns the SQL for the list's records, whose input fields
// field names: field(key) is the SQL expression of the String field
// mapped to a contract column, or "" when the input has no such column
// (Parse reads it as empty). ok is false when the list has a rule the
// SQL does not express: its records are all for Go.
func (l *List) Canonical(field func(key string) string) (c Canonical, ok bool) {
	raw := func(key string) string {
		if f := field(key); f != "" {
			return f
		}
		return "''"
	}
	value := map[string]string{}
	var where []string
	for _, col := range l.Columns {
		v, w := canonicalColumn(col, raw(col.Key))
		value[col.Key] = v
		where = append(where, w)
	}
	for _, d := range l.Derived {
		switch d {
		case "name_key":
			value[d] = transform.SQLNameKey(raw("name"))
		case "grade_label":
			value[d] = raw("grade") // NormalizeText of a normal text
		default:
			return Canonical{}, false
		}
	}
	if l.check != nil {
		check, known := canonicalChecks[l.Name]
		if !known {
			return Canonical{}, false
		}
		where = append(where, check(value, raw)...)
	}
	for _, k := range l.StoredColumns() {
		c.Values = append(c.Values, value[k])
	}
	c.Where = "coalesce((" + strings.Join(where, ")\n    AND (") + "), false)"
	return c, true
}

// canonicalColumn returns the stored value of a column and the condition
// under which parseValue returns it for the raw field r.
func canonicalColumn(c Column, r string) (value, where string) {
	var ok string // r is a canonical, valid, non-empty value
	value = r
	switch c.Kind {
	case Text:
		// A value opening Excel's text formula ="…" is left to cellText,
		// one that may be an Excel error value (#N/A) to parseValue.
		// Normal text is of the Basic Multilingual Plane, one UTF-16 unit a
		// character: lengthUTF8 counts as lengthError does.
		ok = fmt.Sprintf("%s AND NOT startsWith(%s, '=\"') AND NOT startsWith(%s, '#') AND lengthUTF8(%s) <= %d", transform.SQLNormalText(r), r, r, r, MaxValueLength)
	case USCC:
		ok = transform.SQLValidUSCC(r)
	case Date:
		ok = transform.SQLISODate(r)
		// Never an error, even for a value Where refuses.
		value = fmt.Sprintf("toDate(toDate32OrZero(%s))", r)
		if !c.Required {
			value = fmt.Sprintf("if(%s = '', NULL, %s)", r, value)
		}
	case Bool:
		spell := transform.BoolSpellings()
		var keys, yes []string
		for k, v := range spell {
			if transform.NormalizeText(k) != k {
				continue
			}
			keys = append(keys, k)
			if v {
				yes = append(yes, k)
			}
		}
		sort.Strings(keys)
		sort.Strings(yes)
		// ParseBool lower-cases too (TRUE, Y).
		ok = fmt.Sprintf("%s AND lower(%s) IN %s", transform.SQLNormalText(r), r, tuple(keys))
		value = fmt.Sprintf("lower(%s) IN %s", r, tuple(yes))
	case Year:
		ok = fmt.Sprintf("(match(%[1]s, '^[0-9]{4}$') AND toUInt16(%[1]s) BETWEEN %[2]d AND %[3]d)", r, minReportYear, maxReportYear)
		value = fmt.Sprintf("toUInt16OrZero(%s)", r)
	case Enum:
		var keys, vals []string
		for k := range c.Values {
			// parseValue looks up the lower-cased normal text: a key
			// that is its own normal text matches it.
			if transform.NormalizeText(k) == k && strings.ToLower(k) == k {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			vals = append(vals, c.Values[k])
		}
		// parseValue lower-cases with strings.ToLower, which on normal
		// text (ASCII and CJK) is lower's ASCII lower-casing: A and a
		// are both a grade.
		ok = fmt.Sprintf("%s AND lower(%s) IN %s", transform.SQLNormalText(r), r, tuple(keys))
		value = fmt.Sprintf("transform(lower(%s), %s, %s, '')", r, transform.SQLStrings(keys), transform.SQLStrings(vals))
	case County:
		ok = transform.SQLCountyCode(r)
	default:
		return value, "false"
	}
	if c.Kind == USCC || c.Code {
		ok = fmt.Sprintf("%s AND NOT match(%s, %s)", ok, r, transform.SQLString(excelNumber.String()))
	}
	if c.codeLike() {
		// Parse drops the mark ('0001 is 0001).
		ok = fmt.Sprintf("%s AND NOT startsWith(%s, %s)", ok, r, transform.SQLString(textMark))
	}
	if c.Required {
		return value, ok
	}
	return value, fmt.Sprintf("%s = '' OR (%s)", r, ok)
}

// canonicalChecks are the lists' cross-column checks (List.check) in
// SQL, over the stored values v (which they may change, as the checks
// set defaults) and the raw fields r: conditions under which the check
// passes. A list whose check has no entry here is read in Go.
var canonicalChecks = map[string]func(v map[string]string, r func(string) string) []string{
	"institutions": func(v map[string]string, r func(string) string) []string {
		status := fmt.Sprintf("if(%s = '', 'valid', %s)", r("license_status"), v["license_status"])
		v["license_status"] = status
		v["county_code"] = fmt.Sprintf("if(%[1]s = '', %[2]s, %[1]s)", r("county_code"), transform.SQLCountyFromUSCC(v["uscc"]))
		return []string{fmt.Sprintf("%s = 'valid' OR %s != ''", status, r("license_status_on")),
			fmt.Sprintf("%s = 'valid' OR %s", status, endsNotBeforeSQL(r, "licensed_on", "license_status_on"))}
	},
	"inspections": func(v map[string]string, r func(string) string) []string {
		return []string{
			fmt.Sprintf("NOT (%s = 'violation' AND %s = '')", v["kind"], v["severity"]),
			endsNotBeforeSQL(r, "handled_on", "rectified_on"),
		}
	},
	"penalties": func(v map[string]string, r func(string) string) []string {
		return append(checkExternalSQL(v, r), endsNotBeforeSQL(r, "decided_on", "publicity_ended_on"))
	},
	"annual_reports": func(v map[string]string, r func(string) string) []string {
		// The Where holds only for a 4-digit year and an ISO date, which
		// compare as text.
		return []string{fmt.Sprintf("%s >= concat(toString(%s + 1), '-01-01')", r("submitted_on"), v["year"])}
	},
	"public_eval": checkExternalSQL,
	"abnormal":    checkListingSQL,
	"dishonest":   checkListingSQL,
}

func checkExternalSQL(v map[string]string, r func(string) string) []string {
	return []string{fmt.Sprintf("NOT (%s = '' AND %s = '')", r("uscc"), r("name"))}
}

func checkListingSQL(v map[string]string, r func(string) string) []string {
	return append(checkExternalSQL(v, r), endsNotBeforeSQL(r, "listed_on", "removed_on"))
}

// endsNotBeforeSQL is endsBefore's check passing: no date in column end,
// or not before the one in start. It compares the raw ISO dates as text,
// which orders them as dates (the Where holds only for ISO dates).
func endsNotBeforeSQL(r func(string) string, start, end string) string {
	return fmt.Sprintf("%s = '' OR %s >= %s", r(end), r(end), r(start))
}

func tuple(ss []string) string {
	return "(" + strings.TrimSuffix(strings.TrimPrefix(transform.SQLStrings(ss), "["), "]") + ")"
}
