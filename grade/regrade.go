package grade

// NewEvidenceGrade is the worst grade that the rules' result now gives on
// evidence a decision did not weigh, decided being the clauses and
// evidence stored with that decision: the worst grade among the clauses
// of now with a (clause, record kind, record key) not among decided; A
// when there is none. A record first known after the decision, or changed
// so that it supports another clause (a severity raised from 一般 to 重大
// moves it from B2 to D1), is new; one the decision already saw under the
// same clause is not.
func NewEvidenceGrade(decided []Clause, now Result) Grade {
	type key struct{ clause, kind, id string }
	known := map[key]bool{}
	for _, c := range decided {
		for _, e := range c.Evidence {
			known[key{c.ID, e.Kind, e.ID}] = true
		}
	}
	worst := A
	for _, c := range now.Clauses {
		for _, e := range c.Evidence {
			if !known[key{c.ID, e.Kind, e.ID}] {
				if Worse(c.Grade, worst) {
					worst = c.Grade
				}
				break
			}
		}
	}
	return worst
}
