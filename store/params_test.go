package store

import (
	"testing"
	"time"
)

func TestFormatParam(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"a'b", "a'b"},
		{"a\\b\tc\nd", `a\\b\tc\nd`},
		{nil, `\N`},
		{true, "true"},
		{42, "42"},
		{uint64(18446744073709551615), "18446744073709551615"},
		{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "2024-02-29"},
		{time.Date(2024, 2, 29, 8, 30, 0, 0, time.FixedZone("CST", 8*3600)), "2024-02-29 00:30:00.000"},
		{[]string{"a'b", `c\d`}, `['a\'b','c\\d']`},
	}
	for _, tt := range tests {
		got, err := FormatParam(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("FormatParam(%#v) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := FormatParam(struct{}{}); err == nil {
		t.Error("FormatParam of a struct succeeded")
	}
}

func TestAssign(t *testing.T) {
	var s string
	var i int
	var u8 uint8
	var f float64
	var tp *time.Time
	var tm time.Time
	var arr []string
	d := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	if err := ScanRow([]any{"x", int64(7), uint64(200), int64(2), d, nil, []any{"a", "b"}}, &s, &i, &u8, &f, &tp, &tm, &arr); err != nil {
		t.Fatal(err)
	}
	if s != "x" || i != 7 || u8 != 200 || f != 2 || tp == nil || !tp.Equal(d) || !tm.IsZero() || len(arr) != 2 {
		t.Errorf("got %q %d %d %v %v %v %v", s, i, u8, f, tp, tm, arr)
	}
	if err := Assign(&u8, uint64(300)); err == nil {
		t.Error("300 fitted into uint8")
	}
	if err := Assign(&i, "seven"); err == nil {
		t.Error("a string scanned into an int")
	}
	if err := ScanRow([]any{"x"}, &s, &i); err == nil {
		t.Error("ScanRow accepted a destination count mismatch")
	}
}
