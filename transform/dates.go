package transform

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/zone"
)

// ErrDate is wrapped by every date parsing failure so that importers can
// count bad dates as one rejection reason with errors.Is.
var ErrDate = errors.New("invalid date")

// dateFormats is quoted in every error so that whoever fixes the file sees
// what would have been accepted.
const dateFormats = "accepted: 2023-07-31, 2023/7/31, 2023.07.31, 20230731, 2023年7月31日, optionally followed by a time after a space or T"

// DateError is ParseDate's failure: Text the value as given, Problem what
// is wrong with it (written after the quoted value: ": month 13 does not
// exist", " is not in a known format"), Accepted the spellings to tell
// (dateFormats when empty). A reader that accepts more spellings than
// ParseDate, and read the value through it, tells its own value and its
// own spellings. It wraps ErrDate.
type DateError struct {
	Text, Problem, Accepted string
}

func (e *DateError) Error() string {
	accepted := e.Accepted
	if accepted == "" {
		accepted = dateFormats
	}
	return fmt.Sprintf("%v: %q%s; %s", ErrDate, e.Text, e.Problem, accepted)
}

func (e *DateError) Unwrap() error { return ErrDate }

// The years a record of an HR service institution can plausibly carry; a
// value outside is a typo or a number that is not a date. The first is
// also the first the store can hold: its Date type begins on 1970-01-01,
// and an earlier date would be stored as that day without a word (no
// licence, decision or listing of these lists predates it).
const (
	minYear = 1970
	maxYear = 2100
)

var (
	dateSeparated = regexp.MustCompile(`^(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})$`)
	dateCompact   = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	dateChinese   = regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})日$`)
	// timeOfDay accepts what spreadsheets and databases append to a date:
	// "0:00" from Excel, "12:00:00.0" from JDBC dumps, RFC 3339 offsets.
	// It is checked, so that "2023-07-31 garbage" is still an error, and
	// used only when it has a zone (dayInXuchang): groups 1–3 the hour,
	// minute and second, 5 the zone, 6–8 its sign, hours and minutes.
	timeOfDay = regexp.MustCompile(`^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,9})?)?([Zz]|([+-])([01]\d|2[0-3]):?([0-5]\d)?)?$`)
	// chineseTime is a time of day as a person writes it in Chinese after
	// a date (2026年7月31日 上午, 下午3:30, 9时30分, 9点半): it has no zone,
	// and is dropped as any time without one is.
	chineseTime = regexp.MustCompile(`^(?:上午|下午|中午|晚上|凌晨|早上|早晨|傍晚)?\s*(?:([01]?\d|2[0-3])(?::[0-5]\d(?::[0-5]\d)?|[时点](?:[0-5]?\d分|半)?(?:[0-5]?\d秒)?))?$`)
)

// ParseDate reads a date in any of the spellings found in the bureau's files
// and the external lists. ok is false with a nil error for an empty value,
// because an empty date cell means "none" (no commitment, not removed), not
// a mistake. A time part without a zone is ignored: the date is taken as
// written. A time with a zone (Z, +00:00, +0800) names an instant, as an
// epoch in milliseconds does, and the date is that instant's in Xuchang:
// a server that writes Chinese midnight in UTC sends
// 2023-07-30T16:00:00Z for 31 July (Java's Jackson does so by default),
// while 2023-07-31T00:30+08:00 stays 31 July.
//
// Bare Excel serial numbers are refused because 45138 and 20230731 cannot be
// told apart in general; a workbook's date cells are read by its
// SerialDates.
func ParseDate(s string) (d time.Time, ok bool, err error) {
	v := NormalizeText(s)
	if v == "" {
		return time.Time{}, false, nil
	}
	datePart, timePart, hasTime := v, "", false
	if i := strings.IndexAny(v, " Tt"); i >= 0 {
		datePart, timePart, hasTime = v[:i], strings.TrimSpace(v[i+1:]), true
	} else if y, rest, ok := strings.Cut(v, "日"); ok && rest != "" && dateChinese.MatchString(y+"日") {
		// 2026年7月31日上午: the Chinese date ends at its 日.
		datePart, timePart, hasTime = y+"日", rest, true
	}
	var ys, ms, ds string
	if isoDate(datePart) {
		// 2023-07-31, by far the most common spelling, without a regexp.
		ys, ms, ds = datePart[:4], datePart[5:7], datePart[8:]
	} else if m := dateSeparated.FindStringSubmatch(datePart); m != nil && m[2] == m[4] {
		ys, ms, ds = m[1], m[3], m[5]
	} else if m := dateCompact.FindStringSubmatch(datePart); m != nil {
		ys, ms, ds = m[1], m[2], m[3]
	} else if m := dateChinese.FindStringSubmatch(datePart); m != nil {
		ys, ms, ds = m[1], m[2], m[3]
	} else {
		return time.Time{}, false, &DateError{Text: s, Problem: " is not in a known format"}
	}
	var clock []string
	if hasTime {
		if clock = timeOfDay.FindStringSubmatch(timePart); clock == nil && (timePart == "" || !chineseTime.MatchString(timePart)) {
			return time.Time{}, false, &DateError{Text: s, Problem: fmt.Sprintf(" has an unreadable time part %q", timePart)}
		}
	}
	// The regexps admit only ASCII digits, so Atoi cannot fail.
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	day, _ := strconv.Atoi(ds)
	if y < minYear || y > maxYear {
		return time.Time{}, false, &DateError{Text: s, Problem: fmt.Sprintf(": year %d is outside %d–%d", y, minYear, maxYear)}
	}
	if m < 1 || m > 12 {
		return time.Time{}, false, &DateError{Text: s, Problem: fmt.Sprintf(": month %d does not exist", m)}
	}
	d = time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 2023-02-29 to 1 March; a changed day means the
	// date does not exist.
	if day < 1 || d.Day() != day {
		return time.Time{}, false, &DateError{Text: s, Problem: fmt.Sprintf(": %d-%02d has no day %d", y, m, day)}
	}
	if clock != nil && clock[5] != "" {
		if d = dayInXuchang(d, clock); d.Year() < minYear || d.Year() > maxYear {
			return time.Time{}, false, &DateError{Text: s, Problem: fmt.Sprintf(" is in %d in Xuchang, outside %d–%d", d.Year(), minYear, maxYear)}
		}
	}
	return d, true, nil
}

// dayInXuchang is the date in Xuchang of the instant that date d at the
// time of day in clock (timeOfDay's groups, with a zone) names.
func dayInXuchang(d time.Time, clock []string) time.Time {
	// The pattern admits only ASCII digits, so Atoi cannot fail.
	h, _ := strconv.Atoi(clock[1])
	mi, _ := strconv.Atoi(clock[2])
	sec, _ := strconv.Atoi(clock[3])
	offset := 0
	if clock[6] != "" {
		oh, _ := strconv.Atoi(clock[7])
		om, _ := strconv.Atoi(clock[8])
		offset = oh*3600 + om*60
		if clock[6] == "-" {
			offset = -offset
		}
	}
	return zone.Day(time.Date(d.Year(), d.Month(), d.Day(), h, mi, sec, 0, time.FixedZone("", offset)))
}

// isoDate reports whether s is exactly dddd-dd-dd in ASCII digits: a
// spelling dateSeparated accepts too.
func isoDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i := range len(s) {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// FormatDate writes the one spelling used in the store and in reports, which
// ParseDate and ParseISODate read back unchanged; the zero time is "".
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// ParseISODate reads a date a person typed, strictly YYYY-MM-DD: unlike
// ParseDate, which reads the many spellings of imported files, a flag
// with another spelling is a mistake to report, not to guess at.
func ParseISODate(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%w %q: want YYYY-MM-DD, e.g. 2026-07-31", ErrDate, s)
	}
	return d, nil
}

var excelSerial = regexp.MustCompile(`^\d+(\.\d+)?$`)

// SerialDates says whether a file's date cells may hold Excel day numbers,
// and from which day Excel counted them. A workbook records its date system
// (workbookPr date1904): most count from 1900, those made by old Mac Excel,
// or from its templates, from 1904, and the same number then names a day
// four years and a day later. Reading one system's number in the other
// shifts every date without an error, so the reader of a file says which it
// has and no one guesses.
type SerialDates uint8

const (
	// NoSerialDates is text: a bare number in a date column is refused,
	// because 45138 and 20230731 cannot be told apart in general.
	NoSerialDates SerialDates = iota
	// Excel1900 is Excel's default date system: serial 1 is 1900-01-01.
	Excel1900
	// Excel1904 is the 1904 date system: serial 0 is 1904-01-01.
	Excel1904
)

func (s SerialDates) String() string {
	switch s {
	case Excel1900:
		return "1900 date system"
	case Excel1904:
		return "1904 date system"
	}
	return "no serial dates"
}

// Parse converts a day number of the date system, as found in XLSX cells
// that carry a date format the reader did not resolve. A fraction (the
// time of day) is dropped. In the 1900 system Excel counts a 29 February
// 1900 that never was (serial 60, kept for Lotus 1-2-3 compatibility), so
// serials from 61 on count days from 30 December 1899. Serials naming a
// day before 1970 (all the smaller ones among them) or after 2100 are
// refused in both systems: they are more likely amounts, counts or years
// (2023, or 2023.1 for 2023.10 typed into a number cell) than dates, and
// 0 is what an empty formula shows. ok is false for NoSerialDates.
func (s SerialDates) Parse(v string) (time.Time, bool) {
	const msPerDay = 24 * 60 * 60 * 1000
	if s != Excel1900 && s != Excel1904 {
		return time.Time{}, false
	}
	v = NormalizeText(v)
	if !excelSerial.MatchString(v) {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f > math.MaxInt32 {
		return time.Time{}, false
	}
	// Excel shows a serial's time rounded to the millisecond: one that
	// a computation left a hair short of midnight (45350.999999999) is
	// the next day's 00:00 on screen, and that day here.
	n := int(math.Floor(math.Round(f*msPerDay) / msPerDay))
	d := time.Date(1899, time.December, 30+n, 0, 0, 0, 0, time.UTC) // from serial 61 on
	if s == Excel1904 {
		d = time.Date(1904, time.January, 1+n, 0, 0, 0, 0, time.UTC)
	}
	if d.Year() < minYear || d.Year() > maxYear {
		return time.Time{}, false
	}
	return d, true
}
