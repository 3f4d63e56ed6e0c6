package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Logged progress is a percentage of the rows (or bytes) the file says
// it holds, never over 100: a workbook whose <dimension> understates its
// rows (a tool appended a million rows and left A1:I58) logged
// progress_pct=1724238. Past the total, as without one, the rows read
// are logged instead.
func TestImportProgressNeverOver100(t *testing.T) {
	for _, c := range []struct {
		done, total int64
		want        string
	}{
		{29, 58, "progress_pct=50 "},
		{58, 58, "progress_pct=100 "},
		{1000058, 58, "read=1000058 "},
		{59, 58, "read=59 "},
		{10, 0, "read=10 "},
	} {
		var log bytes.Buffer
		a := &app{stderr: &log, log: slog.New(slog.NewTextHandler(&log, nil))}
		// Started long ago: the first call logs (a line every 5 s).
		a.progress("importing x.xlsx", time.Now().Add(-time.Minute))(c.done, c.total)
		if got := log.String(); !strings.Contains(got, c.want) {
			t.Errorf("%d of %d logged %q, want %q", c.done, c.total, got, c.want)
		}
	}
}
