package grade_test

import (
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
)

// A decision's evidence is known however it is cited later: a listing
// first delivered by name and then with its USCC (or under a new name) is
// the record the decision weighed; another listing, or a penalty with
// another decision number, is new.
func TestNewEvidenceGrade(t *testing.T) {
	on := func(s string) time.Time { return day(s) }
	c6 := func(id, date string) grade.Clause {
		return grade.Clause{ID: "C6", Grade: grade.C, Evidence: []grade.Evidence{{Kind: "abnormal", ID: id, Date: on(date)}}}
	}
	b6 := func(id string) grade.Clause {
		return grade.Clause{ID: "B6", Grade: grade.B, Evidence: []grade.Evidence{{Kind: "penalty", ID: id, Date: on("2024-05-01")}}}
	}
	decided := []grade.Clause{c6("许昌甲人力资源服务有限公司|2024-06-01", "2024-06-01"), b6("许人社罚〔2024〕1号")}
	for _, tt := range []struct {
		name string
		now  []grade.Clause
		want grade.Grade
	}{
		{"the same citations", decided, grade.A},
		{"the listing again with its USCC", []grade.Clause{c6("91411002MA47X4XJ6A|2024-06-01", "2024-06-01")}, grade.A},
		{"another listing", []grade.Clause{c6("91411002MA47X4XJ6A|2024-07-01", "2024-07-01")}, grade.C},
		{"another penalty", []grade.Clause{b6("许人社罚〔2024〕2号")}, grade.B},
	} {
		if got := grade.NewEvidenceGrade(decided, grade.Result{Clauses: tt.now}); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// An upgrade rests on a correction: something the decision weighed that
// no longer holds — a record gone from a clause, a clause without records
// that holds no more. The same records cited otherwise are no correction,
// and neither are fewer clauses than the grade implies (a reviewer's
// stricter grade over no clause at all).
func TestCorrected(t *testing.T) {
	on := func(s string) time.Time { return day(s) }
	c6 := func(id string) grade.Clause {
		return grade.Clause{ID: "C6", Grade: grade.C, Evidence: []grade.Evidence{{Kind: "abnormal", ID: id, Date: on("2024-06-01")}}}
	}
	b1 := grade.Clause{ID: "B1", Grade: grade.B}
	for _, tt := range []struct {
		name         string
		decided, now []grade.Clause
		want         bool
	}{
		{"nothing weighed, nothing now (a reviewer's B over A)", nil, nil, false},
		{"the same listing with its USCC", []grade.Clause{c6("许昌甲人力资源服务有限公司|2024-06-01")}, []grade.Clause{c6("91411002MA47X4XJ6A|2024-06-01")}, false},
		{"the listing removed", []grade.Clause{c6("91411002MA47X4XJ6A|2024-06-01"), b1}, []grade.Clause{b1}, true},
		{"the commitment signed", []grade.Clause{b1}, nil, true},
		{"a new record beside the old", []grade.Clause{b1}, []grade.Clause{b1, c6("x|2024-06-01")}, false},
	} {
		if got := grade.Corrected(tt.decided, grade.Result{Clauses: tt.now}); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
