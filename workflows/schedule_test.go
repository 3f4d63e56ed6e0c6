package workflows

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

// A spec naming no day that exists (February 30th) parsed and was
// planned for good, logged as "next=0001-01-01…": it is refused as one
// that does not parse is. The "scheduled" lines name their job and the
// zone the spec fires in (CRON_TZ=UTC was logged as Asia/Shanghai).
func TestScheduleSpecs(t *testing.T) {
	tests := []struct {
		name  string
		sched Schedule
		err   string // "" = planned
		log   string // a regexp the log matches
	}{
		{"february 30th", Schedule{Nightly: "0 3 30 2 *"}, `schedule for nightly "0 3 30 2 \*" never fires`, ""},
		{"31st of the short months", Schedule{Sync: "0 0 31 4,6,9,11 *"}, `schedule for sync "0 0 31 4,6,9,11 \*" never fires`, ""},
		{"a minute past 59", Schedule{Nightly: "61 2 * * *"}, `schedule for nightly "61 2 \* \* \*": .*above maximum`, ""},
		{"the bureau's zone", Schedule{Nightly: "30 2 * * *"}, "", `msg=scheduled job=nightly spec="30 2 \* \* \*" timezone=Asia/Shanghai next=\d{4}-\d\d-\d\dT02:30:00\+08:00`},
		{"the spec's own zone", Schedule{Sync: "CRON_TZ=UTC 30 2 * * *", CountyReport: "0 7 * * 1"}, "",
			`msg=scheduled job=sync spec="CRON_TZ=UTC 30 2 \* \* \*" timezone=UTC next=\d{4}-\d\d-\d\dT02:30:00Z\n.*msg=scheduled job=county-report spec="0 7 \* \* 1" timezone=Asia/Shanghai next=\S+T07:00:00\+08:00`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged strings.Builder
			d := Deps{DataDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(&logged, nil))}
			tt.sched.Timezone = "Asia/Shanghai"
			stop, planned, err := d.StartSchedule(context.Background(), tt.sched)
			if tt.err != "" {
				var spec SpecError
				if err == nil || !errors.As(err, &spec) || !regexp.MustCompile(tt.err).MatchString(err.Error()) {
					t.Fatalf("StartSchedule = %v, want a SpecError matching %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stop()
			if planned == 0 || !regexp.MustCompile(tt.log).MatchString(logged.String()) {
				t.Errorf("planned %d, log:\n%s\nwant it to match %s", planned, logged.String(), tt.log)
			}
		})
	}
}
