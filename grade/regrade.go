package grade

import (
	"slices"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
)

// NewEvidenceGrade is the worst grade that the rules' result now gives on
// evidence a decision did not weigh, decided being the clauses and
// evidence stored with that decision: the worst grade among the clauses
// of now with a (clause, record kind, record key) not among decided; A
// when there is none. A record first known after the decision, or changed
// so that it supports another clause (a severity raised from 一般 to 重大
// moves it from B2 to D1), is new; one the decision already saw under the
// same clause is not, however it is cited now (see recordOf).
func NewEvidenceGrade(decided []Clause, now Result) Grade {
	type key struct{ clause, kind, record string }
	known := map[key]bool{}
	for _, c := range decided {
		for _, e := range c.Evidence {
			known[key{c.ID, e.Kind, recordOf(e)}] = true
		}
	}
	worst := A
	for _, c := range now.Clauses {
		for _, e := range c.Evidence {
			if !known[key{c.ID, e.Kind, recordOf(e)}] {
				if Worse(c.Grade, worst) {
					worst = c.Grade
				}
				break
			}
		}
	}
	return worst
}

// Corrected reports whether something a decision weighed no longer holds
// in the rules' result now, decided being the clauses and evidence stored
// with the decision: a (clause, record kind, record key) of decided not
// among now's, or a clause cited without records that does not hold now.
// It is what an upgrade rests on (纠正失信行为、消除不良影响): a better
// grade from the rules while everything the decision weighed still holds
// is the grade the decision overrode — a reviewer's stricter grade — not
// a correction.
func Corrected(decided []Clause, now Result) bool {
	type key struct{ clause, kind, record string }
	holds := map[key]bool{}
	for _, c := range now.Clauses {
		holds[key{clause: c.ID}] = true
		for _, e := range c.Evidence {
			holds[key{c.ID, e.Kind, recordOf(e)}] = true
		}
	}
	for _, c := range decided {
		if !holds[key{clause: c.ID}] {
			return true
		}
		for _, e := range c.Evidence {
			if !holds[key{c.ID, e.Kind, recordOf(e)}] {
				return true
			}
		}
	}
	return false
}

// recordOf is what identifies the record behind evidence through its
// versions. The lists the data contract keys by USCC and date (abnormal,
// dishonest, public_eval) are cited as "<uscc or name_key>|<date>" by
// the version that counts, and one listing may come by name first and
// with its USCC later, or under an old name and then a new: for a
// decision about one institution, its date is the record. Other evidence
// is its id.
func recordOf(e Evidence) string {
	if keyedByDate[e.Kind] {
		return e.Date.Format(time.DateOnly)
	}
	return e.ID
}

// keyedByDate are the evidence kinds of the external lists whose key is
// the institution and a date.
var keyedByDate = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range contract.Lists() {
		if l.External && slices.Contains(l.Key, l.Dated.On) {
			m[l.EvidenceKind()] = true
		}
	}
	return m
}()
