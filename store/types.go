package store

import (
	"strconv"
	"strings"
	"time"
)

// BaseType strips Nullable(...) and LowCardinality(...) wrappers from a
// ClickHouse type name and reports whether the type is nullable.
func BaseType(t string) (base string, nullable bool) {
	for {
		switch {
		case strings.HasPrefix(t, "Nullable(") && strings.HasSuffix(t, ")"):
			t, nullable = t[len("Nullable("):len(t)-1], true
		case strings.HasPrefix(t, "LowCardinality(") && strings.HasSuffix(t, ")"):
			t = t[len("LowCardinality(") : len(t)-1]
		default:
			return t, nullable
		}
	}
}

// IsDateType reports whether t (a base type) is Date or Date32, whose
// values are calendar days rather than instants.
func IsDateType(t string) bool { return t == "Date" || t == "Date32" }

// IsTimeType reports whether t is a DateTime or DateTime64.
func IsTimeType(t string) bool { return strings.HasPrefix(t, "DateTime") }

// AppendTime writes t as text that a column of type typ reads as the same
// instant, whatever zone the type prints in: the day (in UTC, as dates are
// kept) for a Date, else seconds since the epoch — with nanoseconds for a
// DateTime64 — which the engine reads without a zone. A wall-clock text
// would be read in the column's zone, and the store's times are typed in
// Asia/Shanghai.
func AppendTime(b []byte, t time.Time, typ string) []byte {
	base, _ := BaseType(typ)
	t = t.UTC()
	switch {
	case IsDateType(base):
		return t.AppendFormat(b, time.DateOnly)
	case t.Unix() < 0:
		// The engine reads no negative epoch: the wall clock in the
		// type's own zone names the instant instead.
		return t.In(zoneOf(base)).AppendFormat(b, "2006-01-02 15:04:05.999999999")
	case strings.HasPrefix(base, "DateTime64"):
		b = strconv.AppendInt(b, t.Unix(), 10)
		b = append(b, '.')
		ns := strconv.AppendInt(nil, int64(t.Nanosecond()), 10)
		for range 9 - len(ns) {
			b = append(b, '0')
		}
		return append(b, ns...)
	default:
		return strconv.AppendInt(b, t.Unix(), 10)
	}
}

// zoneOf reads the zone of a DateTime('Zone') or DateTime64(3, 'Zone')
// type; a type without one is in the engine's zone, UTC for creditsync.
func zoneOf(typ string) *time.Location {
	if i := strings.IndexByte(typ, '\''); i >= 0 {
		if j := strings.LastIndexByte(typ, '\''); j > i {
			if loc, err := time.LoadLocation(typ[i+1 : j]); err == nil {
				return loc
			}
		}
	}
	return time.UTC
}
