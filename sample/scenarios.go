package sample

import "time"

// scenario designs one institution's situation at AsOf. want is what
// docs/rules.md should give for it; the oracle recomputes it from the written
// records and the tests insist that the two agree for many seeds and dates.
type scenario struct {
	name      string
	want      []string // in report order (D, C, B, then number)
	notGraded bool
	style     nameStyle
	licensed  func(g *generator) time.Time // nil: 4 to 10 years before AsOf
	apply     func(g *generator, b *build) error
}

// Scenario helpers. They take dates already chosen so each scenario reads
// as its boundary: "on T − 1y", "removed on T" and so on.

func (g *generator) violation(b *build, severity string, on time.Time) *inspection {
	return g.inspect(b.in, "violation", severity, on)
}

func (g *generator) record(b *build, kind string, on time.Time) *inspection {
	return g.inspect(b.in, kind, "", on)
}

func (g *generator) penaltyFor(b *build, decided, ended time.Time) *penalty {
	return g.addPenalty(b.in.USCC, b.in.Name, decided, ended, hrBureau(g.countyOf(b.in)), hrPenaltyContent(g.r))
}

func (g *generator) abnormalFor(b *build, listed, removed time.Time, reason string) error {
	if err := g.addListing(&g.ds.abnormal, b.in.USCC, b.in.Name, listed, removed, reason, marketBureau(g.countyOf(b.in))); err != nil {
		return err
	}
	if !removed.IsZero() {
		g.ds.abnormal[len(g.ds.abnormal)-1].RemovalReason = g.r.pick(removalReasons)
	}
	return nil
}

func (g *generator) dishonestFor(b *build, listed, removed time.Time, reason string) error {
	return g.addListing(&g.ds.dishonest, b.in.USCC, b.in.Name, listed, removed, reason, dishonestAuthority(reason, g.countyOf(b.in)))
}

// recent is a date in the last 60 days, after every base evaluation.
func (g *generator) recent() time.Time { return g.r.between(days(g.t, -60), g.t) }

// status changes the licence status and drops reports filed after it: a
// revoked or cancelled institution stops reporting.
func (g *generator) status(b *build, status string, on time.Time) {
	b.in.Status, b.in.StatusOn = status, on
	switch status {
	case "revoked":
		b.in.Note = "因违法违规被吊销许可证"
	case "cancelled":
		b.in.Note = "机构申请注销"
	}
	for y, d := range b.reports {
		if d.After(on) {
			delete(b.reports, y)
		}
	}
}

func dropReports(b *build, years ...int) {
	for _, y := range years {
		delete(b.reports, y)
	}
}

// inYear is a licence date somewhere in year y.
func (g *generator) inYear(y int) time.Time {
	return ymd(y, time.Month(1+g.r.intn(12)), 1+g.r.intn(28))
}

var scenarios = []scenario{
	// D: the worst grade; several combine with C and B clauses so that
	// "worst wins" and "list every clause" are both exercised.
	{name: "d1-major", want: []string{"D1"}, apply: func(g *generator, b *build) error {
		g.violation(b, "major", g.window())
		return nil
	}},
	{name: "d1-major-refused", want: []string{"D1", "C3"}, apply: func(g *generator, b *build) error {
		r := g.violation(b, "major", g.window())
		r.Refused, r.RectifiedOn = true, time.Time{}
		return nil
	}},
	{name: "d1-major-and-minor", want: []string{"D1", "C1", "B2"}, apply: func(g *generator, b *build) error {
		g.violation(b, "major", g.window())
		g.violation(b, "minor", g.window())
		return nil
	}},
	{name: "d1-window-first-day", want: []string{"D1"}, apply: func(g *generator, b *build) error {
		g.violation(b, "major", days(g.y1, 1))
		return nil
	}},
	{name: "d1-major-with-penalty", want: []string{"D1", "B6"}, apply: func(g *generator, b *build) error {
		d := g.window()
		g.violation(b, "major", d)
		decided := g.r.between(d, g.t)
		g.penaltyFor(b, decided, decided.AddDate(3, 0, 0))
		return nil
	}},
	{name: "d2-fund-fraud", want: []string{"D2"}, apply: func(g *generator, b *build) error {
		g.record(b, "fund_fraud", g.window())
		return nil
	}},
	{name: "d2-fraud-and-false-materials", want: []string{"D2", "B4"}, apply: func(g *generator, b *build) error {
		g.record(b, "fund_fraud", g.window())
		g.record(b, "false_materials", g.window())
		return nil
	}},
	{name: "d2-fraud-on-asof-and-dishonest", want: []string{"D2", "D5"}, apply: func(g *generator, b *build) error {
		g.record(b, "fund_fraud", g.t)
		return g.dishonestFor(b, g.t, time.Time{}, "提供虚假材料骗取就业补助资金")
	}},
	{name: "d3-revoked-after-major", want: []string{"D1", "D3"}, apply: func(g *generator, b *build) error {
		// Revoked after the latest report was due, so its report is on file.
		revoked := g.r.between(maxDate(dueDate(g.nmax), days(g.y1, 1)), g.t)
		r := g.violation(b, "major", g.r.between(days(g.y1, 1), revoked))
		r.Measure = "吊销许可证"
		g.status(b, "revoked", revoked)
		return nil
	}},
	{name: "d3-revoked-long-ago", want: []string{"D3", "C5", "B3"},
		licensed: func(g *generator) time.Time { return g.inYear(g.nmax - 6 - g.r.intn(4)) },
		apply: func(g *generator, b *build) error {
			// Revoked just after the report for nmax-3 was due; nothing since.
			b.in.Commitment = days(b.in.LicensedOn, g.r.intn(61))
			g.status(b, "revoked", days(ymd(g.nmax-2, time.April, 30), -g.r.intn(20)))
			dropReports(b, g.nmax-2, g.nmax-1, g.nmax, g.nmax+1)
			return nil
		}},
	{name: "d3-revoked-on-asof", want: []string{"D3", "C6"}, apply: func(g *generator, b *build) error {
		g.status(b, "revoked", g.t)
		return g.abnormalFor(b, g.window(), time.Time{}, "公示信息隐瞒真实情况、弄虚作假")
	}},
	{name: "d4-latest-eval-d", want: []string{"D4"}, apply: func(g *generator, b *build) error {
		return g.addEval(b.in.USCC, b.in.Name, "D", g.recent())
	}},
	{name: "d4-latest-eval-cha-with-penalty", want: []string{"D4", "B6"}, apply: func(g *generator, b *build) error {
		g.penaltyFor(b, g.window(), time.Time{})
		return g.addEval(b.in.USCC, b.in.Name, "差", g.recent())
	}},
	{name: "d4-name-only-eval", want: []string{"D4"}, apply: func(g *generator, b *build) error {
		return g.addEval("", b.in.Name, label(g.r, "D"), g.recent())
	}},
	{name: "d5-abnormal-three-years-then-dishonest", want: []string{"D5", "C6"}, apply: func(g *generator, b *build) error {
		// Unresolved on the abnormal list for three years → serious list.
		listed := g.t.AddDate(-3, 0, -40)
		if err := g.abnormalFor(b, listed, time.Time{}, abnormalReasons[0]); err != nil {
			return err
		}
		return g.dishonestFor(b, listed.AddDate(3, 0, 10), time.Time{}, dishonestReasons[0])
	}},
	{name: "d5-removed-after-asof", want: []string{"D5"}, apply: func(g *generator, b *build) error {
		return g.dishonestFor(b, days(g.t, -400), days(g.t, 10), "拖欠农民工工资数额较大，情节严重")
	}},

	// C
	{name: "c1-two-general", want: []string{"C1", "B2"}, apply: func(g *generator, b *build) error {
		g.violation(b, "general", g.window())
		g.violation(b, "general", g.window())
		return nil
	}},
	{name: "c1-three-minor", want: []string{"C1", "B2"}, apply: func(g *generator, b *build) error {
		for i := 0; i < 3; i++ {
			g.violation(b, "minor", g.window())
		}
		return nil
	}},
	{name: "c1-serious-and-minor", want: []string{"C1", "C2", "B2"}, apply: func(g *generator, b *build) error {
		g.violation(b, "serious", g.window())
		g.violation(b, "minor", g.window())
		return nil
	}},
	{name: "c2-serious", want: []string{"C2"}, apply: func(g *generator, b *build) error {
		g.violation(b, "serious", g.window())
		return nil
	}},
	{name: "c2-serious-on-asof", want: []string{"C2"}, apply: func(g *generator, b *build) error {
		g.violation(b, "serious", g.t)
		return nil
	}},
	{name: "c3-refused-old-open", want: []string{"C3"}, apply: func(g *generator, b *build) error {
		r := g.record(b, "compliance_failure", g.before(b.in, g.t.AddDate(-3, 0, 0)))
		r.Refused, r.RectifiedOn = true, time.Time{}
		return nil
	}},
	{name: "c3-refused-rectified-after-asof", want: []string{"C3"}, apply: func(g *generator, b *build) error {
		r := g.violation(b, "general", g.before(b.in, g.t.AddDate(-2, 0, 0)))
		r.Refused, r.RectifiedOn = true, days(g.t, 5)
		return nil
	}},
	{name: "c3-refused-in-window", want: []string{"C3", "B2"}, apply: func(g *generator, b *build) error {
		r := g.violation(b, "minor", g.window())
		r.Refused, r.RectifiedOn = true, g.r.between(r.HandledOn, g.t)
		return nil
	}},
	{name: "c4-lost-exactly-one-year", want: []string{"C4"}, apply: func(g *generator, b *build) error {
		b.in.LostSince = g.y1
		return nil
	}},
	{name: "c4-lost-and-stopped-reporting", want: []string{"C4", "C5", "C6", "B3"}, apply: func(g *generator, b *build) error {
		lost := days(dueDate(g.nmax-2), -30)
		b.in.LostSince = lost
		b.in.Note = "电话无人接听，实地核查无法联系"
		dropReports(b, g.nmax-2, g.nmax-1, g.nmax, g.nmax+1)
		return g.abnormalFor(b, days(lost, 60), time.Time{}, "通过登记的住所或者经营场所无法联系")
	}},
	{name: "c4-lost-no-latest-report", want: []string{"C4", "B3"}, apply: func(g *generator, b *build) error {
		b.in.LostSince = days(g.t, -400-g.r.intn(200))
		dropReports(b, g.nmax, g.nmax+1)
		return nil
	}},
	{name: "c5-three-years-missing", want: []string{"C5", "B3"}, apply: func(g *generator, b *build) error {
		dropReports(b, g.nmax-2, g.nmax-1, g.nmax, g.nmax+1)
		return nil
	}},
	{name: "c5-four-years-missing-no-commitment", want: []string{"C5", "B1", "B3"},
		licensed: func(g *generator) time.Time { return g.inYear(g.nmax - 5 - g.r.intn(3)) },
		apply: func(g *generator, b *build) error {
			dropReports(b, g.nmax-3, g.nmax-2, g.nmax-1, g.nmax, g.nmax+1)
			b.in.Commitment = time.Time{}
			return nil
		}},
	{name: "c6-abnormal-in-window", want: []string{"C6"}, apply: func(g *generator, b *build) error {
		return g.abnormalFor(b, g.window(), time.Time{}, abnormalReasons[0])
	}},
	{name: "c6-abnormal-removed-after-asof", want: []string{"C6"}, apply: func(g *generator, b *build) error {
		return g.abnormalFor(b, days(g.t, -500), days(g.t, 20), abnormalReasons[1])
	}},
	{name: "c6-abnormal-name-only", want: []string{"C6"}, style: bracketName, apply: func(g *generator, b *build) error {
		// The register has （）, the list (）: only a normalised name joins them.
		return g.addListing(&g.ds.abnormal, "", halfWidthBrackets(b.in.Name), g.window(), time.Time{}, abnormalReasons[0], marketBureau(g.countyOf(b.in)))
	}},

	// B
	{name: "b1-no-commitment", want: []string{"B1"}, apply: func(g *generator, b *build) error {
		b.in.Commitment = time.Time{}
		return nil
	}},
	{name: "b1-commitment-after-asof", want: []string{"B1"}, apply: func(g *generator, b *build) error {
		b.in.Commitment = days(g.t, 15)
		return nil
	}},
	{name: "b1-commitment-breach", want: []string{"B1"}, apply: func(g *generator, b *build) error {
		g.record(b, "commitment_breach", g.window())
		return nil
	}},
	{name: "b2-minor", want: []string{"B2"}, apply: func(g *generator, b *build) error {
		g.violation(b, "minor", g.window())
		return nil
	}},
	{name: "b2-general-window-first-day", want: []string{"B2"}, apply: func(g *generator, b *build) error {
		g.violation(b, "general", days(g.y1, 1))
		return nil
	}},
	{name: "b3-compliance-failure", want: []string{"B3"}, apply: func(g *generator, b *build) error {
		g.record(b, "compliance_failure", g.window())
		return nil
	}},
	{name: "b3-report-one-day-late", want: []string{"B3"}, apply: func(g *generator, b *build) error {
		b.reports[g.nmax] = days(dueDate(g.nmax), 1)
		return nil
	}},
	{name: "b3-report-missing", want: []string{"B3"}, apply: func(g *generator, b *build) error {
		dropReports(b, g.nmax)
		return nil
	}},
	{name: "b3-report-after-asof", want: []string{"B3"}, apply: func(g *generator, b *build) error {
		b.reports[g.nmax] = days(g.t, 10+g.r.intn(20))
		return nil
	}},
	{name: "b3-two-due-years-missing", want: []string{"B3"},
		licensed: func(g *generator) time.Time { return g.inYear(g.nmax - 1) },
		apply: func(g *generator, b *build) error {
			// Only two due years: C5 needs three.
			dropReports(b, g.nmax-1, g.nmax)
			return nil
		}},
	{name: "b3-late-report-stops-c5", want: []string{"B3"}, apply: func(g *generator, b *build) error {
		// A late report still counts for C5 once it is in by T.
		dropReports(b, g.nmax-2, g.nmax, g.nmax+1)
		b.reports[g.nmax-1] = days(dueDate(g.nmax-1), 40)
		return nil
	}},
	{name: "b4-false-materials", want: []string{"B4"}, apply: func(g *generator, b *build) error {
		g.record(b, "false_materials", g.window())
		return nil
	}},
	{name: "b4-b5-false-materials-conditions", want: []string{"B4", "B5"}, apply: func(g *generator, b *build) error {
		g.record(b, "false_materials", g.window())
		g.record(b, "conditions_unmet", g.window())
		return nil
	}},
	{name: "b5-conditions-unmet", want: []string{"B5"}, apply: func(g *generator, b *build) error {
		g.record(b, "conditions_unmet", g.window())
		return nil
	}},
	{name: "b5-conditions-no-commitment", want: []string{"B1", "B5"}, apply: func(g *generator, b *build) error {
		g.record(b, "conditions_unmet", g.window())
		b.in.Commitment = time.Time{}
		return nil
	}},
	{name: "b6-penalty-open", want: []string{"B6"}, apply: func(g *generator, b *build) error {
		g.penaltyFor(b, g.window(), time.Time{})
		return nil
	}},
	{name: "b6-penalty-ends-after-asof", want: []string{"B6"}, apply: func(g *generator, b *build) error {
		g.penaltyFor(b, g.window(), days(g.t, 1))
		return nil
	}},
	{name: "b6-penalty-name-only", want: []string{"B6"}, apply: func(g *generator, b *build) error {
		g.addPenalty("", b.in.Name, g.window(), days(g.t, 30+g.r.intn(700)), hrBureau(g.countyOf(b.in)), hrPenaltyContent(g.r))
		return nil
	}},

	// Near misses: one day or one rule away from a clause, and graded A
	// (or only what is named) when the rules are read exactly.
	{name: "near-major-on-window-edge", apply: func(g *generator, b *build) error {
		g.violation(b, "major", g.y1) // T − 1y is outside (T − 1y, T]
		return nil
	}},
	{name: "near-breach-on-window-edge", apply: func(g *generator, b *build) error {
		g.record(b, "commitment_breach", g.y1)
		return nil
	}},
	{name: "near-compliance-on-window-edge", apply: func(g *generator, b *build) error {
		g.record(b, "compliance_failure", g.y1)
		return nil
	}},
	{name: "near-abnormal-removed-on-asof", apply: func(g *generator, b *build) error {
		return g.abnormalFor(b, days(g.t, -200), g.t, abnormalReasons[0])
	}},
	{name: "near-dishonest-removed-on-asof", apply: func(g *generator, b *build) error {
		return g.dishonestFor(b, days(g.t, -500), g.t, dishonestReasons[0])
	}},
	{name: "near-penalty-ended-on-asof", apply: func(g *generator, b *build) error {
		g.penaltyFor(b, g.r.between(days(g.y1, 1), days(g.t, -1)), g.t)
		return nil
	}},
	{name: "near-penalty-decided-on-window-edge", apply: func(g *generator, b *build) error {
		g.penaltyFor(b, g.y1, time.Time{})
		return nil
	}},
	{name: "near-lost-one-day-short", apply: func(g *generator, b *build) error {
		b.in.LostSince = days(g.y1, 1)
		return nil
	}},
	{name: "near-report-on-due-date", apply: func(g *generator, b *build) error {
		// On the due date is in time; the previous year's late report is
		// no longer the one B3 looks at.
		b.reports[g.nmax] = dueDate(g.nmax)
		b.reports[g.nmax-1] = days(dueDate(g.nmax-1), 1)
		return nil
	}},
	{name: "near-refused-but-rectified", apply: func(g *generator, b *build) error {
		r := g.violation(b, "general", g.before(b.in, g.t.AddDate(-3, 0, 0)))
		r.Refused, r.RectifiedOn = true, days(r.HandledOn, 10+g.r.intn(40))
		return nil
	}},
	{name: "near-one-violation-in-window", want: []string{"B2"}, apply: func(g *generator, b *build) error {
		g.violation(b, "minor", g.window())
		g.violation(b, "general", g.y1) // C1 needs two inside the window
		return nil
	}},
	{name: "near-earlier-d-eval", apply: func(g *generator, b *build) error {
		for _, e := range []struct {
			grade string
			on    time.Time
		}{{"D", days(g.t, -300)}, {"良", days(g.t, -30)}, {"差", days(g.t, 5)}} {
			if err := g.addEval(b.in.USCC, b.in.Name, e.grade, e.on); err != nil {
				return err
			}
		}
		return nil
	}},
	{name: "near-future-records", apply: func(g *generator, b *build) error {
		// Everything dated after T is invisible at T.
		g.violation(b, "major", days(g.t, 3))
		g.record(b, "fund_fraud", days(g.t, 1))
		g.record(b, "commitment_breach", days(g.t, 4))
		g.penaltyFor(b, days(g.t, 2), time.Time{})
		if err := g.abnormalFor(b, days(g.t, 1), time.Time{}, abnormalReasons[0]); err != nil {
			return err
		}
		if err := g.dishonestFor(b, days(g.t, 1), time.Time{}, dishonestReasons[2]); err != nil {
			return err
		}
		return g.addEval(b.in.USCC, b.in.Name, "D", days(g.t, 5))
	}},
	{name: "near-licensed-on-asof",
		licensed: func(g *generator) time.Time { return g.t },
		apply:    func(g *generator, b *build) error { return nil }},
	{name: "near-licensed-after-asof", notGraded: true,
		licensed: func(g *generator) time.Time { return days(g.t, 30) },
		apply:    func(g *generator, b *build) error { return nil }},
	{name: "near-cancelled-before-asof", notGraded: true, apply: func(g *generator, b *build) error {
		g.status(b, "cancelled", days(g.t, -90))
		// Would be C6 if it were still graded.
		return g.abnormalFor(b, days(g.t, -120), time.Time{}, abnormalReasons[0])
	}},
	{name: "near-cancelled-on-asof", notGraded: true, apply: func(g *generator, b *build) error {
		g.status(b, "cancelled", g.t)
		return nil
	}},
	{name: "near-cancelled-after-asof", apply: func(g *generator, b *build) error {
		g.status(b, "cancelled", days(g.t, 10))
		return nil
	}},
	{name: "near-revoked-after-asof", want: []string{"C2"}, apply: func(g *generator, b *build) error {
		g.violation(b, "serious", g.window())
		g.status(b, "revoked", days(g.t, 20)) // licence still valid at T: no D3
		return nil
	}},
}
