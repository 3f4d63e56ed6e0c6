package serve

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
)

// changingSources gives the fixture's grades and a data generation that
// moves as gens says, call after call (the last value then stays): the
// nightly run recording its grades while a page is read.
type changingSources struct {
	mu    sync.Mutex
	gens  []int
	calls int
}

func (c *changingSources) Choose(context.Context) (report.Source, string, error) {
	return reporttest.Fixture(), report.SourceHistory, nil
}

func (c *changingSources) Generation(context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.gens[min(c.calls, len(c.gens)-1)]
	c.calls++
	return strconv.Itoa(g), nil
}

// A page, a download or an API answer is made from one state of the
// data: when the data changed while it was made (a page showed the A
// before the nightly regrade above a history lowered to C), it is made
// again; when the data changes under every attempt, the answer is 503
// with Retry-After, never a page of two states.
func TestAnswersComeFromOneStateOfTheData(t *testing.T) {
	for _, tt := range []struct {
		name       string
		gens       []int
		wantStatus int
		wantCalls  int // generations read: two an attempt
	}{
		{"unchanged", []int{1}, http.StatusOK, 2},
		{"changed during the first attempt", []int{1, 2}, http.StatusOK, 4},
		{"changed during two attempts", []int{1, 2, 2, 3, 3}, http.StatusOK, 6},
		{"changing all the time", []int{1, 2, 3, 4, 5, 6, 7}, http.StatusServiceUnavailable, 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/api/grades?on=2026-07-31", "/counties/411002?from=2026-06&to=2026-07", "/reports/summary/411002.xlsx?on=2026-07-31"} {
				src := &changingSources{gens: tt.gens}
				s, err := New(Options{Sources: src, Config: testConfig(), Getenv: testEnv, Now: func() time.Time { return now }})
				if err != nil {
					t.Fatal(err)
				}
				r := get(t, s.Handler(), path, weiduToken)
				if r.status != tt.wantStatus || src.calls != tt.wantCalls {
					t.Errorf("%s: status %d after %d generations read, want %d after %d", path, r.status, src.calls, tt.wantStatus, tt.wantCalls)
				}
				if tt.wantStatus == http.StatusServiceUnavailable && (r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "数据正在更新")) {
					t.Errorf("%s: 503 without Retry-After or its reason: %v %q", path, r.header, r.body)
				}
			}
		})
	}
}
