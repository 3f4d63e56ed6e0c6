package report

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Dist counts institutions per grade, indexed by grade.Rank (A = 0).
type Dist [4]int

func (d *Dist) add(g grade.Grade) {
	if r := grade.Rank(g); r >= 0 {
		d[r]++
	}
}

// Total is the number of institutions graded.
func (d Dist) Total() int { return d[0] + d[1] + d[2] + d[3] }

// CD is the number graded C or D: those the consequences of docs/rules.md
// §5 bite on, so the share the city watches.
func (d Dist) CD() int { return d[2] + d[3] }

// CDShare is CD as a fraction of Total, 0 when nobody is graded.
func (d Dist) CDShare() float64 {
	if d.Total() == 0 {
		return 0
	}
	return float64(d.CD()) / float64(d.Total())
}

// Counts are grades on a day as every listing counts them — the
// dashboards, the home page, /api/grades — each state as what it is
// (docs/rules.md §4.7): Dist holds the grades in force; a grade publicized
// or under objection on the day is counted apart, never as if it were in
// force, and the grade in force beside it stays in Dist.
type Counts struct {
	Dist        Dist // the grades in force (expired ones too: still the institution's grade)
	Publicized  Dist // the grades publicized (公示中, or past it awaiting confirmation)
	UnderReview Dist // the grades under objection (异议复核中)
}

// Add counts g.
func (c *Counts) Add(g InstitutionGrade) {
	switch {
	case pending(g.State):
		c.Publicized.add(g.Grade)
	case g.State == StateUnderReview:
		c.UnderReview.add(g.Grade)
	}
	c.Dist.add(g.inForce())
}

// Period is one month of a trend: the unit's Counts, and the city's
// grades in force beside them.
type Period struct {
	End time.Time // the month-end (or today) the grades are taken at
	Counts
	City Dist // the whole city's grades in force, for comparison
	// NoData marks a month-end before any grade existed in the city (no
	// evaluation publicized yet): shown as "no data", never as zero
	// institutions.
	NoData bool
}

// Step counts the changes from one period end to the next.
type Step struct {
	From, To time.Time
	// Moves[a][b] counts institutions in force at a at From and at b at
	// To (ranks, a ≠ b): a comparison of two month-ends.
	Moves [4][4]int
	// Downgrades counts the downgrades recorded with From < day ≤ To, the
	// rows of the trend's Downgrades in this step: the headline is their
	// sum by construction.
	Downgrades int
	Entered    int // a grade in force at To but not at From (first confirmed …)
	Left       int // a grade in force at From but not at To (licence cancelled …)
	// NoData marks a step from or to a day before any grade existed: its
	// counts mean nothing (everyone "entered" with the first evaluation).
	NoData bool
}

// ClauseCount says how often a clause held in a trend.
type ClauseCount struct {
	ID, Text     string
	Institutions int // institutions it held for at one period end or more
	Latest       int // institutions it holds for at the last period end
}

// Trend is a unit's grades over a run of months: the county trend report,
// and one panel of the city overview.
type Trend struct {
	Unit       Unit
	Periods    []Period // one per month
	Steps      []Step   // Steps[i] leads to Periods[i], from the previous month-end
	Downgrades []Change // by day, then USCC
	Clauses    []ClauseCount
	// Institutions are the unit's institutions at the last period end,
	// by grade then USCC: the drill-down from the unit.
	Institutions []InstitutionGrade
	Generated    time.Time
}

// Overview is the city overview: the whole city and each unit below it
// side by side over the same months.
type Overview struct {
	City  Trend
	Units []Trend // 市本级 and the counties, then institutions registered elsewhere when any
}

// series is what a source said for a run of months, fetched once and cut
// per unit.
type series struct {
	days   []time.Time          // Base, then each end
	grades [][]InstitutionGrade // per day
	downs  [][]Change           // per end, from the day before
}

func fetch(ctx context.Context, src Source, m Months) (*series, error) {
	if len(m.Ends) == 0 {
		return nil, fmt.Errorf("%w: no month to report", ErrMonths)
	}
	s := &series{days: append([]time.Time{m.Base}, m.Ends...)}
	for _, d := range s.days {
		g, err := src.GradesOn(ctx, d)
		if err != nil {
			return nil, fmt.Errorf("grades on %s: %w", transform.FormatDate(d), err)
		}
		s.grades = append(s.grades, g)
	}
	for i := 1; i < len(s.days); i++ {
		ch, err := src.Downgrades(ctx, s.days[i-1], s.days[i])
		if err != nil {
			return nil, fmt.Errorf("downgrades to %s: %w", transform.FormatDate(s.days[i]), err)
		}
		s.downs = append(s.downs, ch)
	}
	return s, nil
}

// CountyTrend builds the trend report of one unit (a county, 411000 or the
// whole city) over m; now is when the report is made.
func CountyTrend(ctx context.Context, src Source, u Unit, m Months, now time.Time) (*Trend, error) {
	s, err := fetch(ctx, src, m)
	if err != nil {
		return nil, fmt.Errorf("trend of %s: %w", u.Name, err)
	}
	t := s.trend(u)
	t.Generated = now
	return &t, nil
}

// CityOverview builds the city overview over m; now is when it is made.
func CityOverview(ctx context.Context, src Source, m Months, now time.Time) (*Overview, error) {
	s, err := fetch(ctx, src, m)
	if err != nil {
		return nil, fmt.Errorf("city overview: %w", err)
	}
	o := &Overview{City: s.trend(City())}
	o.City.Generated = now
	units := Units()
	if s.hasOutsiders() {
		units = append(units, unitOf(""))
	}
	for _, u := range units {
		t := s.trend(u)
		t.Generated = now
		o.Units = append(o.Units, t)
	}
	return o, nil
}

func (s *series) hasOutsiders() bool {
	for _, gs := range s.grades[1:] {
		for _, g := range gs {
			if unitOf(g.CountyCode).Code == otherCode {
				return true
			}
		}
	}
	return false
}

func (s *series) trend(u Unit) Trend {
	t := Trend{Unit: u}
	held := map[string]map[string]bool{} // clause → USCCs
	prev := gradesIn(s.grades[0], u)
	for i, day := range s.days[1:] {
		p := Period{End: day, NoData: len(s.grades[i+1]) == 0}
		for _, g := range s.grades[i+1] {
			p.City.add(g.inForce())
		}
		cur := gradesIn(s.grades[i+1], u)
		step := Step{From: s.days[i], To: day, NoData: len(s.grades[i]) == 0 || len(s.grades[i+1]) == 0}
		for uscc, g := range cur {
			p.Add(g)
			now := g.inForce()
			var was grade.Grade
			if old, ok := prev[uscc]; ok {
				was = old.inForce()
			}
			switch {
			case now == "":
			case was == "":
				step.Entered++
			case was != now && grade.Rank(was) >= 0 && grade.Rank(now) >= 0:
				step.Moves[grade.Rank(was)][grade.Rank(now)]++
			}
			for _, cl := range g.Clauses {
				if held[cl.ID] == nil {
					held[cl.ID] = map[string]bool{}
				}
				held[cl.ID][uscc] = true
			}
		}
		for uscc, old := range prev {
			if g, ok := cur[uscc]; old.inForce() != "" && (!ok || g.inForce() == "") {
				step.Left++
			}
		}
		for _, ch := range s.downs[i] {
			if u.Contains(ch.CountyCode) {
				t.Downgrades = append(t.Downgrades, ch)
				step.Downgrades++
			}
		}
		t.Periods = append(t.Periods, p)
		t.Steps = append(t.Steps, step)
		prev = cur
	}
	sort.SliceStable(t.Downgrades, func(i, j int) bool {
		a, b := t.Downgrades[i], t.Downgrades[j]
		if !a.Day.Equal(b.Day) {
			return a.Day.Before(b.Day)
		}
		return a.USCC < b.USCC
	})
	t.Clauses = clauseCounts(held, prev)
	t.Institutions = inUnit(s.grades[len(s.grades)-1], u)
	return t
}

// gradesIn indexes the grades of a unit's institutions by USCC.
func gradesIn(gs []InstitutionGrade, u Unit) map[string]InstitutionGrade {
	m := map[string]InstitutionGrade{}
	for _, g := range gs {
		if u.Contains(g.CountyCode) {
			m[g.USCC] = g
		}
	}
	return m
}

// clauseCounts orders clauses by how many institutions they held for,
// then by how many at the end, then in report order.
func clauseCounts(held map[string]map[string]bool, last map[string]InstitutionGrade) []ClauseCount {
	var out []ClauseCount
	for _, def := range grade.Clauses() {
		who := held[def.ID]
		if len(who) == 0 {
			continue
		}
		c := ClauseCount{ID: def.ID, Text: def.Text, Institutions: len(who)}
		for uscc := range who {
			for _, cl := range last[uscc].Clauses {
				if cl.ID == def.ID {
					c.Latest++
				}
			}
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Institutions != out[j].Institutions {
			return out[i].Institutions > out[j].Institutions
		}
		return out[i].Latest > out[j].Latest
	})
	return out
}

// Latest is the last period, the zero Period when there is none.
func (t *Trend) Latest() Period {
	if len(t.Periods) == 0 {
		return Period{}
	}
	return t.Periods[len(t.Periods)-1]
}

// Previous is the period before the last, and false when there is none.
func (t *Trend) Previous() (Period, bool) {
	if len(t.Periods) < 2 {
		return Period{}, false
	}
	return t.Periods[len(t.Periods)-2], true
}

// move is one kind of grade change, e.g. A→B.
type move struct{ from, to int }

func (m move) label() string {
	return string(grade.Grades[m.from]) + "→" + string(grade.Grades[m.to])
}

func (m move) down() bool { return m.to > m.from }

// moves lists the kinds of change that occur in the steps: downgrades
// first, then upgrades, each from the best grade.
func (t *Trend) moves() []move {
	var down, up []move
	for a := range 4 {
		for b := range 4 {
			if a == b {
				continue
			}
			seen := false
			for _, s := range t.Steps {
				seen = seen || s.Moves[a][b] > 0
			}
			if !seen {
				continue
			}
			if b > a {
				down = append(down, move{a, b})
			} else {
				up = append(up, move{a, b})
			}
		}
	}
	return append(down, up...)
}

// ups totals the month-end comparisons of a step that went up.
func (s Step) ups() (n int) {
	for a := range 4 {
		for b := range a {
			n += s.Moves[a][b]
		}
	}
	return n
}
