package zone

import (
	"testing"
	"time"
)

// The fixed zone agrees with the tz database's Asia/Shanghai over the
// years creditsync handles.
func TestShanghaiIsAsiaShanghai(t *testing.T) {
	loc, err := time.LoadLocation(Name)
	if err != nil {
		t.Fatalf("the tz database has no %s: %v", Name, err)
	}
	for y := 1992; y <= 2060; y++ {
		for _, m := range []time.Month{time.January, time.July} {
			tm := time.Date(y, m, 1, 12, 0, 0, 0, time.UTC)
			_, want := tm.In(loc).Zone()
			if _, got := tm.In(Shanghai).Zone(); got != want {
				t.Fatalf("%v: offset %d, tz database %d", tm, got, want)
			}
		}
	}
}

// A moment is shown on Xuchang's clock, not the machine's: late evening
// in UTC is the next morning's date there.
func TestClockIsXuchangs(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 12, 6, 16, 5, 59, 0, time.UTC), "2026-12-07 00:05"},
		{time.Date(2026, 12, 6, 15, 59, 0, 0, time.UTC), "2026-12-06 23:59"},
		{time.Date(2026, 12, 6, 9, 30, 0, 0, time.FixedZone("PST", -8*3600)), "2026-12-07 01:30"},
	} {
		if got := Clock(c.at); got != c.want {
			t.Errorf("Clock(%v) = %s, want %s", c.at, got, c.want)
		}
	}
}

// An instant's day is Xuchang's, held as midnight UTC.
func TestDay(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want time.Time
	}{
		{time.Date(2023, 7, 30, 16, 0, 0, 0, time.UTC), time.Date(2023, 7, 31, 0, 0, 0, 0, time.UTC)},
		{time.Date(2023, 7, 30, 15, 59, 59, 0, time.UTC), time.Date(2023, 7, 30, 0, 0, 0, 0, time.UTC)},
		{time.Date(2023, 12, 31, 20, 0, 0, 0, time.FixedZone("EST", -5*3600)), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if got := Day(c.at); !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("Day(%v) = %v, want %v", c.at, got, c.want)
		}
	}
}

func TestStampIsXuchangsClockLabelled(t *testing.T) {
	got := Stamp(time.Date(2026, 12, 7, 2, 50, 47, 0, time.UTC))
	if want := "2026-12-07 10:50:47 CST"; got != want {
		t.Errorf("Stamp = %q, want %q", got, want)
	}
}
