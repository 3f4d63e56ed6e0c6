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
