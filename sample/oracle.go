package sample

import (
	"strings"
	"time"
	"unicode"
)

// This file is a deliberately plain reference implementation of docs/rules.md §2
// and §3 with the default thresholds. It shares no code with the real grader
// so that the two can be checked against each other; it favours being obvious
// over being fast.

// verdict is the oracle's answer for one institution at one date.
type verdict struct {
	graded  bool
	clauses []string // in clauseOrder; nil when not graded or A
}

// clauseOrder is the report order: worst grade first, then by number.
var clauseOrder = []string{
	"D1", "D2", "D3", "D4", "D5",
	"C1", "C2", "C3", "C4", "C5", "C6",
	"B1", "B2", "B3", "B4", "B5", "B6",
}

// normUSCC is the contract's USCC normalisation for the variants this
// package writes (surrounding spaces, lower case).
func normUSCC(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// normName is a lenient stand-in for NFKC matching: full-width ASCII becomes
// half-width and all spaces (ideographic ones too) go. The generator keeps
// institution names unique under this, which is looser than NFKC, so a
// name-only row matches the same single institution under either.
func normName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000 || unicode.IsSpace(r):
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// gradeLetter maps a published label to A–D ("" for anything else).
func gradeLetter(label string) string {
	switch strings.TrimSpace(label) {
	case "A", "优":
		return "A"
	case "B", "良":
		return "B"
	case "C", "中":
		return "C"
	case "D", "差":
		return "D"
	}
	return ""
}

// listedAt is docs/rules.md's "listed at T".
func listedAt(l *listing, t time.Time) bool {
	return onOrBefore(l.ListedOn, t) && (l.RemovedOn.IsZero() || l.RemovedOn.After(t))
}

// grade computes, for every institution, whether it is graded at t and which
// clauses hold.
func (ds *dataset) grade(t time.Time) map[string]verdict {
	t = civil(t)
	from := minusYear(t)
	inWindow := func(d time.Time) bool { return d.After(from) && onOrBefore(d, t) }

	byName := map[string][]string{}
	for _, in := range ds.institutions {
		k := normName(in.Name)
		byName[k] = append(byName[k], normUSCC(in.USCC))
	}
	// owner resolves an external row to an institution's USCC: by code when
	// present, else by a name that matches exactly one institution.
	owner := func(uscc, name string) string {
		if u := normUSCC(uscc); u != "" {
			return u
		}
		if m := byName[normName(name)]; len(m) == 1 {
			return m[0]
		}
		return ""
	}

	insp := map[string][]*inspection{}
	for _, r := range ds.inspections {
		u := normUSCC(r.USCC)
		insp[u] = append(insp[u], r)
	}
	reports := map[string]map[int]time.Time{}
	for _, r := range ds.reports {
		u := normUSCC(r.USCC)
		if reports[u] == nil {
			reports[u] = map[int]time.Time{}
		}
		if prev, ok := reports[u][r.Year]; !ok || r.SubmittedOn.Before(prev) {
			reports[u][r.Year] = r.SubmittedOn
		}
	}
	pens := map[string][]*penalty{}
	for _, p := range ds.penalties {
		u := owner(p.USCC, p.Name)
		pens[u] = append(pens[u], p)
	}
	abn := map[string][]*listing{}
	for _, l := range ds.abnormal {
		u := owner(l.USCC, l.Name)
		abn[u] = append(abn[u], l)
	}
	dis := map[string][]*listing{}
	for _, l := range ds.dishonest {
		u := owner(l.USCC, l.Name)
		dis[u] = append(dis[u], l)
	}
	evals := map[string][]*evaluation{}
	for _, e := range ds.evals {
		u := owner(e.USCC, e.Name)
		evals[u] = append(evals[u], e)
	}

	out := map[string]verdict{}
	for _, in := range ds.institutions {
		u := normUSCC(in.USCC)
		cancelled := in.Status == "cancelled" && onOrBefore(in.StatusOn, t)
		if in.LicensedOn.After(t) || cancelled {
			out[u] = verdict{graded: false}
			continue
		}
		hold := map[string]bool{}

		violations := 0
		for _, r := range insp[u] {
			w := inWindow(r.HandledOn)
			if w {
				switch r.Kind {
				case "violation":
					violations++
					switch r.Severity {
					case "major":
						hold["D1"] = true
					case "serious":
						hold["C2"] = true
					case "minor", "general":
						hold["B2"] = true
					}
				case "fund_fraud":
					hold["D2"] = true
				case "commitment_breach":
					hold["B1"] = true
				case "compliance_failure":
					hold["B3"] = true
				case "false_materials":
					hold["B4"] = true
				case "conditions_unmet":
					hold["B5"] = true
				}
			}
			if r.Refused && onOrBefore(r.HandledOn, t) &&
				(w || r.RectifiedOn.IsZero() || r.RectifiedOn.After(t)) {
				hold["C3"] = true
			}
		}
		if violations >= 2 {
			hold["C1"] = true
		}

		if in.Status == "revoked" && onOrBefore(in.StatusOn, t) {
			hold["D3"] = true
		}

		var latest *evaluation
		for _, e := range evals[u] {
			if onOrBefore(e.EvaluatedOn, t) && (latest == nil || e.EvaluatedOn.After(latest.EvaluatedOn)) {
				latest = e
			}
		}
		if latest != nil && gradeLetter(latest.Grade) == "D" {
			hold["D4"] = true
		}

		for _, l := range dis[u] {
			if listedAt(l, t) {
				hold["D5"] = true
			}
		}
		for _, l := range abn[u] {
			if listedAt(l, t) {
				hold["C6"] = true
			}
		}

		if !in.LostSince.IsZero() && onOrBefore(in.LostSince, from) {
			hold["C4"] = true
		}

		// §3.1: due years are year(licensed_on) … latest due year at t.
		var due []int
		for n := latestDueYear(t); n >= in.LicensedOn.Year(); n-- {
			due = append(due, n) // largest first
		}
		submittedBy := func(n int, by time.Time) bool {
			d, ok := reports[u][n]
			return ok && onOrBefore(d, by)
		}
		if len(due) >= 3 && !submittedBy(due[0], t) && !submittedBy(due[1], t) && !submittedBy(due[2], t) {
			hold["C5"] = true
		}
		if len(due) > 0 && inWindow(dueDate(due[0])) && !submittedBy(due[0], dueDate(due[0])) {
			hold["B3"] = true
		}

		if in.Commitment.IsZero() || in.Commitment.After(t) {
			hold["B1"] = true
		}

		for _, p := range pens[u] {
			if inWindow(p.DecidedOn) && (p.PublicityEndedOn.IsZero() || p.PublicityEndedOn.After(t)) {
				hold["B6"] = true
			}
		}

		var cl []string
		for _, c := range clauseOrder {
			if hold[c] {
				cl = append(cl, c)
			}
		}
		out[u] = verdict{graded: true, clauses: cl}
	}
	return out
}
