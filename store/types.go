package store

import (
	"strings"
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
