package lifecycle_test

import (
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
)

// Told is what a recorded grade says of the institution: the rules' own
// clauses for an evaluation, the records a review weighed for a reviewer's
// B or worse, none for an A, and for a grade the rules lowered the clauses
// that give it or better (a worse one the decision it lowered set aside).
// Clauses, what the decision weighed, stays whole in every case.
func TestTold(t *testing.T) {
	c2 := grade.Clause{ID: "C2", Grade: grade.C}
	b3 := grade.Clause{ID: "B3", Grade: grade.B}
	b1 := grade.Clause{ID: "B1", Grade: grade.B}
	d3 := grade.Clause{ID: "D3", Grade: grade.D}
	tests := []struct {
		name string
		e    lifecycle.Entry
		want string
	}{
		{"evaluated C", lifecycle.Entry{RunKind: lifecycle.RunEvaluate, Grade: grade.C, Clauses: []grade.Clause{c2, b3}}, "C2 B3"},
		{"reviewed B over C", lifecycle.Entry{RunKind: lifecycle.RunReview, Grade: grade.B, Clauses: []grade.Clause{c2}}, "C2"},
		{"reviewed A over C", lifecycle.Entry{RunKind: lifecycle.RunReview, Grade: grade.A, Clauses: []grade.Clause{c2, b1}}, ""},
		{"lowered to B after a reviewed A", lifecycle.Entry{RunKind: lifecycle.RunRegrade, Grade: grade.B, Clauses: []grade.Clause{c2, b3, b1}}, "B3 B1"},
		{"lowered to D", lifecycle.Entry{RunKind: lifecycle.RunRegrade, Grade: grade.D, Clauses: []grade.Clause{d3, c2}}, "D3 C2"},
		{"upgraded to B", lifecycle.Entry{RunKind: lifecycle.RunUpgrade, Grade: grade.B, Clauses: []grade.Clause{b1}}, "B1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tt.e.Clauses)
			if got := strings.Join(tt.e.ClauseIDs(), " "); got != tt.want {
				t.Errorf("Told: %q; want %q", got, tt.want)
			}
			if len(tt.e.Clauses) != before {
				t.Errorf("Clauses changed: %d clauses, had %d", len(tt.e.Clauses), before)
			}
		})
	}
}
