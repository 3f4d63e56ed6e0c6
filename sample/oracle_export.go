package sample

import "time"

// ExpectAt returns, per institution in file order, what the package's
// reference implementation of docs/rules.md finds at date t for the sample
// that Write produces with opt. Write's own expectations are ExpectAt at
// opt.AsOf; other dates let a grader be checked on every boundary the
// sample holds (the window's edges, due dates, leap days) without writing
// the files again. Like the oracle, it uses the default thresholds.
func ExpectAt(opt Options, t time.Time) ([]Expectation, error) {
	g, err := generate(opt)
	if err != nil {
		return nil, err
	}
	verdicts := g.ds.grade(t)
	exps := make([]Expectation, len(g.ds.institutions))
	for i, in := range g.ds.institutions {
		v := verdicts[in.USCC]
		exps[i] = Expectation{USCC: in.USCC, Name: in.Name, CountyCode: g.countyOf(in), Clauses: v.clauses, Graded: v.graded}
	}
	return exps, nil
}
