package serve

import (
	"encoding/json"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/transform"
)

// The JSON the API answers. It is its own set of types, not the report
// types, so the API stays the same when those change; dates are written
// YYYY-MM-DD.

type institutionJSON struct {
	USCC string `json:"uscc"`
	Name string `json:"name"`
	// RegisterName is the register's name now when the institution was
	// renamed after its grade was recorded (Name is the name as graded).
	RegisterName string `json:"register_name,omitempty"`
	CountyCode   string `json:"county_code"`
	County       string `json:"county"`
	// Grade is the newest result, the one the pages show; State says how
	// it stands (in_force, publicized, awaiting_confirmation,
	// under_review; for an institution of the register no grade shows,
	// not_evaluated or cancelled, with Grade null), GradeInForce is the
	// grade in force beside it (null when none) — the grade eligibility
	// and every count go by — and Expired marks a grade in force past its
	// validity (docs/rules.md §4.7).
	Grade        optText `json:"grade"`
	State        string  `json:"state"`
	StateLabel   string  `json:"state_label,omitempty"`
	GradeInForce optText `json:"grade_in_force"`
	Expired      bool    `json:"expired"`
}

// optText is a value JSON writes as null when there is none: values that
// do not apply are null, never "" (docs/guide.md).
type optText string

func (t optText) MarshalJSON() ([]byte, error) {
	if t == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(t))
}

type searchJSON struct {
	Date      string            `json:"date"`
	Truncated bool              `json:"truncated"`
	Results   []institutionJSON `json:"results"`
}

type evidenceJSON struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Date   string `json:"date,omitempty"`
	Detail string `json:"detail"`
}

type clauseJSON struct {
	ID       string         `json:"id"`
	Grade    grade.Grade    `json:"grade"`
	Text     string         `json:"text"`
	Rule     string         `json:"rule,omitempty"`
	Reading  string         `json:"reading,omitempty"` // Rule in Chinese`
	Evidence []evidenceJSON `json:"evidence,omitempty"`
}

type recordJSON struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Severity    string `json:"severity,omitempty"`
	Date        string `json:"date"`
	Measure     string `json:"measure,omitempty"`
	Authority   string `json:"authority,omitempty"`
	Description string `json:"description,omitempty"`
}

type detailJSON struct {
	institutionJSON
	Date       string `json:"date"`
	ValidFrom  string `json:"valid_from,omitempty"`
	ValidUntil string `json:"valid_until,omitempty"`
	// LicensedOn and LicenceCancelledOn are the register's licence of an
	// institution no grade shows (state not_evaluated or cancelled).
	LicensedOn         string       `json:"licensed_on,omitempty"`
	LicenceCancelledOn string       `json:"licence_cancelled_on,omitempty"`
	Exemplary          bool         `json:"exemplary"`
	ExemplaryReason    string       `json:"exemplary_reason,omitempty"`
	Clauses            []clauseJSON `json:"clauses"`
	Records            []recordJSON `json:"records"`
	// Eligibility is the verdict of …/eligibility, without the
	// institution it already sits in.
	Eligibility verdictJSON `json:"eligibility"`
}

type explainJSON struct {
	institutionJSON
	Date    string       `json:"date"`
	Summary string       `json:"summary,omitempty"` // the notice's description of A, when no clause holds
	Clauses []clauseJSON `json:"clauses"`
}

type eligibilityJSON struct {
	institutionJSON
	Date string `json:"date"`
	verdictJSON
}

// verdictJSON is whether an institution is eligible (docs/rules.md §5),
// and why.
type verdictJSON struct {
	Eligible bool   `json:"eligible"`
	Reason   string `json:"reason"`
}

func verdict(e report.Eligibility) verdictJSON {
	return verdictJSON{Eligible: e.Eligible, Reason: e.Reason}
}

type gradeJSON struct {
	institutionJSON
	Clauses []string `json:"clauses"`
}

// gradesJSON counts as the dashboards do (report.Counts): counts are the
// grades in force, publicized and under_review the grades not in force
// yet, counted apart.
type gradesJSON struct {
	Date        string         `json:"date"`
	Unit        string         `json:"unit"`
	Counts      map[string]int `json:"counts"`
	Publicized  map[string]int `json:"publicized"`
	UnderReview map[string]int `json:"under_review"`
	Grades      []gradeJSON    `json:"grades"`
}

// distJSON writes a distribution by grade letter, every grade present.
func distJSON(d report.Dist) map[string]int {
	m := make(map[string]int, len(grade.Grades))
	for r, g := range grade.Grades {
		m[string(g)] = d[r]
	}
	return m
}

// monthJSON is an institution's grade at a month-end, with its state and
// the grade in force beside it, as institutionJSON has them.
type monthJSON struct {
	Date         string   `json:"date"`
	Grade        optText  `json:"grade"` // null when not graded that day
	State        optText  `json:"state"` // null when not graded that day
	StateLabel   string   `json:"state_label,omitempty"`
	GradeInForce optText  `json:"grade_in_force"`
	Clauses      []string `json:"clauses"`
}

type changeJSON struct {
	Date       string       `json:"date"`
	USCC       string       `json:"uscc"`
	Name       string       `json:"name"`
	CountyCode string       `json:"county_code"`
	From       grade.Grade  `json:"from"`
	To         grade.Grade  `json:"to"`
	Clauses    []clauseJSON `json:"clauses"`
}

type historyJSON struct {
	USCC       string       `json:"uscc"`
	Name       string       `json:"name"`
	Months     []monthJSON  `json:"months"`
	Downgrades []changeJSON `json:"downgrades"`
}

// periodJSON is a month of a trend. A month before the first evaluation
// has no data (no_data): its counts and shares are null, never zero.
type periodJSON struct {
	End         string         `json:"end"`
	NoData      bool           `json:"no_data"`
	Counts      map[string]int `json:"counts"`
	Total       *int           `json:"total"`
	CDShare     *float64       `json:"cd_share"`
	CityCDShare *float64       `json:"city_cd_share"`
}

// stepJSON is the change from one month to the next; one from or to a
// month without data has null moves and counts.
type stepJSON struct {
	From    string         `json:"from"`
	To      string         `json:"to"`
	NoData  bool           `json:"no_data"`
	Moves   map[string]int `json:"moves"` // "A→C": 1; only changes that happened
	Entered *int           `json:"entered"`
	Left    *int           `json:"left"`
}

type clauseCountJSON struct {
	ID           string `json:"id"`
	Text         string `json:"text"`
	Institutions int    `json:"institutions"`
	Latest       int    `json:"latest"`
}

type trendJSON struct {
	Unit        string            `json:"unit"`
	Name        string            `json:"name"`
	Periods     []periodJSON      `json:"periods"`
	Transitions []stepJSON        `json:"transitions"`
	Downgrades  []changeJSON      `json:"downgrades"`
	Clauses     []clauseCountJSON `json:"clauses"`
}

type overviewJSON struct {
	City  trendJSON   `json:"city"`
	Units []trendJSON `json:"units"`
}

func brief(g report.InstitutionGrade) institutionJSON {
	j := institutionJSON{USCC: g.USCC, Name: g.Name, RegisterName: g.RegisterName, CountyCode: g.CountyCode, County: countyName(g.CountyCode), Grade: optText(g.Grade),
		State: stateJSON(g), StateLabel: report.StateLabel(g)}
	if c, ok := g.Current(); ok {
		j.GradeInForce, j.Expired = optText(c.Grade), c.Expired
	}
	return j
}

// briefShown is brief of a grade, and of an institution no grade shows:
// its register data, no grade, and its state (not_evaluated, cancelled).
func briefShown(sh shown) institutionJSON {
	if sh.Ungraded == nil {
		return brief(sh.InstitutionGrade)
	}
	g := sh.InstitutionGrade
	return institutionJSON{USCC: g.USCC, Name: g.Name, RegisterName: g.RegisterName, CountyCode: g.CountyCode, County: countyName(g.CountyCode),
		State: sh.Ungraded.State(), StateLabel: sh.Ungraded.Label()}
}

// stateJSON names the state of the grade shown as the lifecycle does
// (docs/rules.md §4.7), in_force for a grade in force.
func stateJSON(g report.InstitutionGrade) string {
	if g.State == report.StateInForce {
		return "in_force"
	}
	return string(g.State)
}

// clauses converts clauses; explain adds each clause's rule and evidence.
func clauses(cs []report.ClauseRef, explain bool) []clauseJSON {
	out := []clauseJSON{}
	for _, c := range cs {
		def, _ := grade.LookupClause(c.ID)
		j := clauseJSON{ID: c.ID, Grade: def.Grade, Text: c.Text}
		if explain {
			j.Rule, j.Reading = def.Rule, def.Reading
			for _, e := range c.Evidence {
				j.Evidence = append(j.Evidence, evidenceJSON{Kind: e.Kind, ID: e.ID, Date: transform.FormatDate(e.Date), Detail: e.Detail})
			}
		}
		out = append(out, j)
	}
	return out
}

func detail(g shown, day time.Time) detailJSON {
	d := detailJSON{
		institutionJSON: briefShown(g), Date: transform.FormatDate(day),
		ValidFrom: transform.FormatDate(g.ValidFrom), ValidUntil: transform.FormatDate(g.ValidUntil),
		Exemplary: g.Exemplary, ExemplaryReason: g.ExemplaryReason,
		Clauses: clauses(g.Clauses, false), Records: []recordJSON{},
		Eligibility: verdict(g.eligibility()),
	}
	if u := g.Ungraded; u != nil {
		d.LicensedOn, d.LicenceCancelledOn = transform.FormatDate(u.LicensedOn), transform.FormatDate(u.CancelledOn)
	}
	for _, r := range g.Records {
		d.Records = append(d.Records, recordJSON{ID: r.ID, Kind: r.Kind, Severity: r.Severity, Date: transform.FormatDate(r.Date),
			Measure: r.Measure, Authority: r.Authority, Description: r.Description})
	}
	return d
}

func change(c report.Change) changeJSON {
	return changeJSON{Date: transform.FormatDate(c.Day), USCC: c.USCC, Name: c.Name, CountyCode: c.CountyCode,
		From: c.From, To: c.To, Clauses: clauses(c.Clauses, true)}
}

func trend(t *report.Trend) trendJSON {
	out := trendJSON{Unit: t.Unit.Code, Name: t.Unit.Name, Periods: []periodJSON{}, Transitions: []stepJSON{},
		Downgrades: []changeJSON{}, Clauses: []clauseCountJSON{}}
	for _, p := range t.Periods {
		pj := periodJSON{End: transform.FormatDate(p.End), NoData: p.NoData}
		if p.NoData {
			out.Periods = append(out.Periods, pj)
			continue
		}
		pj.Counts, pj.Total = map[string]int{}, ptr(p.Dist.Total())
		pj.CDShare, pj.CityCDShare = ptr(p.Dist.CDShare()), ptr(p.City.CDShare())
		for r, g := range grade.Grades {
			pj.Counts[string(g)] = p.Dist[r]
		}
		out.Periods = append(out.Periods, pj)
	}
	for _, st := range t.Steps {
		sj := stepJSON{From: transform.FormatDate(st.From), To: transform.FormatDate(st.To), NoData: st.NoData}
		if st.NoData {
			out.Transitions = append(out.Transitions, sj)
			continue
		}
		sj.Moves, sj.Entered, sj.Left = map[string]int{}, ptr(st.Entered), ptr(st.Left)
		for a, ga := range grade.Grades {
			for b, gb := range grade.Grades {
				if n := st.Moves[a][b]; n > 0 {
					sj.Moves[string(ga)+"→"+string(gb)] = n
				}
			}
		}
		out.Transitions = append(out.Transitions, sj)
	}
	for _, d := range t.Downgrades {
		out.Downgrades = append(out.Downgrades, change(d))
	}
	for _, c := range t.Clauses {
		out.Clauses = append(out.Clauses, clauseCountJSON{ID: c.ID, Text: c.Text, Institutions: c.Institutions, Latest: c.Latest})
	}
	return out
}

// ptr is a value the JSON may also hold as null.
func ptr[T any](v T) *T { return &v }
