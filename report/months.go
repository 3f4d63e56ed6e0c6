package report

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/transform"
)

// MaxMonths bounds a trend: every month is one grading of the whole
// register, and a server must not let one request ask for hundreds. Four
// annual evaluations and the months between fit.
const MaxMonths = 48

// ErrMonths marks a month range that cannot be reported.
var ErrMonths = errors.New("invalid month range")

// ErrDay marks a day grades cannot be given for.
var ErrDay = errors.New("no grades for this day")

// earliest is the first day reports go back to: no register or list
// reaches further, and ClickHouse dates end below 1970 anyway.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// CheckDay accepts a day from 2000 up to today: grades of a day to come
// are not known yet.
func CheckDay(day, today time.Time) error {
	switch day, today = grade.Date(day), grade.Date(today); {
	case day.After(today):
		return fmt.Errorf("%w: %s is after today (%s)", ErrDay, transform.FormatDate(day), transform.FormatDate(today))
	case day.Before(earliest):
		// Formatted whole: FormatDate writes the zero day (0001-01-01,
		// as asked) as nothing.
		return fmt.Errorf("%w: %s is before %s", ErrDay, day.Format(time.DateOnly), transform.FormatDate(earliest))
	}
	return nil
}

// Months is the run of calendar months a trend covers.
type Months struct {
	// Ends holds the last day of each month in order; a month not over
	// yet ends today, the latest day with data.
	Ends []time.Time
	// Base is the month-end before the first month: the first month's
	// transitions and downgrades are counted from it.
	Base time.Time
}

// DefaultMonths is the span of a trend when no first month is given: two
// years, so that every month of the second year has its 同比 (the same
// month a year before) and the first evaluation's year is compared with
// the next.
const DefaultMonths = 24

// ParseMonths reads a range of months written YYYY-MM. An empty to is
// today's month; an empty from is DefaultMonths−1 months before to, so the
// default is the last two years.
func ParseMonths(from, to string, today time.Time) (Months, error) {
	today = grade.Date(today)
	last := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	if s := strings.TrimSpace(to); s != "" {
		m, err := parseMonth(s)
		if err != nil {
			return Months{}, err
		}
		last = m
	}
	first := last.AddDate(0, -(DefaultMonths - 1), 0)
	if s := strings.TrimSpace(from); s != "" {
		m, err := parseMonth(s)
		if err != nil {
			return Months{}, err
		}
		first = m
	}
	switch n := monthsBetween(first, last) + 1; {
	case n < 1:
		return Months{}, fmt.Errorf("%w: from %s is after to %s", ErrMonths, first.Format("2006-01"), last.Format("2006-01"))
	case n > MaxMonths:
		return Months{}, fmt.Errorf("%w: %d months from %s to %s, at most %d: split the range", ErrMonths, n, first.Format("2006-01"), last.Format("2006-01"), MaxMonths)
	}
	if first.Before(earliest) {
		return Months{}, fmt.Errorf("%w: %s is before %s", ErrMonths, first.Format("2006-01"), earliest.Format("2006-01"))
	}
	if first.After(today) {
		return Months{}, fmt.Errorf("%w: %s has not begun (today is %s)", ErrMonths, first.Format("2006-01"), transform.FormatDate(today))
	}
	var m Months
	m.Base = first.AddDate(0, 0, -1)
	for mo := first; !mo.After(last) && !mo.After(today); mo = mo.AddDate(0, 1, 0) {
		m.Ends = append(m.Ends, minDay(mo.AddDate(0, 1, -1), today))
	}
	return m, nil
}

func parseMonth(s string) (time.Time, error) {
	m, err := time.Parse("2006-01", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: month %q: want YYYY-MM, e.g. 2026-07", ErrMonths, s)
	}
	return m, nil
}

func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

func minDay(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// isMonthEnd reports whether d is the last day of its month.
func isMonthEnd(d time.Time) bool { return d.AddDate(0, 0, 1).Day() == 1 }
