package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/transform"
)

// searchLimit caps a search answer; a search is for finding one
// institution, /api/grades lists them all.
const searchLimit = 100

// The query parameters are named as the CLI's flags: on (a day, as
// grades --on), from and to (months, as report --from/--to), county, q
// and format (the API's). A request with any other parameter, or one
// given twice, is refused with 400 naming it, rather than answered as if
// it were absent — by the API, the pages and the downloads alike:
// ?date=… mistyped as ?dat=… must not quietly give today's grades or
// today's 附件2.
const (
	paramOn     = "on"
	paramFrom   = "from"
	paramTo     = "to"
	paramCounty = "county"
	paramQuery  = "q"
	paramFormat = "format"
	// paramDate is the older name of on, kept because the pages' forms
	// and links use it.
	paramDate = "date"
)

// checkParams refuses a request whose query holds a parameter that is not
// in allowed (date where on is), or one parameter several times. Every
// route but sign-in and health is checked with its params (routes), the
// downloads again with their kind's.
func checkParams(r *http.Request, allowed ...string) error {
	// URL.Query drops a pair it cannot read (a ; in it, a bad %-escape)
	// without a word, and the page would answer without that parameter
	// (?on=2024-08-31; gave today's 附件2).
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return badRequest(fmt.Errorf("参数无法读取 the query string cannot be read: %v", err))
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) && !(name == paramDate && slices.Contains(allowed, paramOn)) {
			return badRequest(fmt.Errorf("未知参数 unknown parameter %q: %s takes %s", name, r.URL.Path, strings.Join(allowed, ", ")))
		}
		if len(q[name]) > 1 {
			return badRequest(fmt.Errorf("参数重复 parameter %q given %d times", name, len(q[name])))
		}
	}
	if q.Has(paramOn) && q.Has(paramDate) {
		return badRequest(fmt.Errorf("参数重复 parameters %q and %q both name the day; use %q", paramOn, paramDate, paramOn))
	}
	return nil
}

// formatParam reads ?format=: the API answers JSON only, so json is the one
// value (accepted for scripts that pass the CLI's --format json along).
func formatParam(r *http.Request) error {
	if v := r.URL.Query().Get(paramFormat); v != "" && v != "json" {
		return badRequest(fmt.Errorf("参数 parameter %q: %q is not supported; the API answers json", paramFormat, v))
	}
	return nil
}

// dateParam reads ?on=YYYY-MM-DD (or its older name ?date=), today when
// absent.
func (s *Server) dateParam(r *http.Request) (time.Time, error) {
	name := paramOn
	v := r.URL.Query().Get(paramOn)
	if v == "" {
		name, v = paramDate, r.URL.Query().Get(paramDate)
	}
	if v == "" {
		return s.today(), nil
	}
	d, err := transform.ParseISODate(v)
	if err == nil {
		err = report.CheckDay(d, s.today())
	}
	if err != nil {
		return time.Time{}, badRequest(fmt.Errorf("参数 parameter %q: %w", name, err))
	}
	return d, nil
}

// monthsParam reads ?from=YYYY-MM&to=YYYY-MM, the last two years
// (report.DefaultMonths) when absent.
func (s *Server) monthsParam(r *http.Request) (report.Months, error) {
	q := r.URL.Query()
	m, err := report.ParseMonths(q.Get(paramFrom), q.Get(paramTo), s.today())
	if err != nil {
		return report.Months{}, badRequest(err)
	}
	return m, nil
}

// visible returns the grades on day the request's scope may see: those
// its county made (Scope.Allows on the grade's own county, docs/rules.md
// §4.9), whatever county the register gives the institution now.
func (s *Server) visible(ctx context.Context, day time.Time) ([]report.InstitutionGrade, error) {
	src, err := s.source(ctx)
	if err != nil {
		return nil, err
	}
	all, err := src.GradesOn(ctx, day)
	if err != nil {
		return nil, err
	}
	out := allowed(scopeOf(ctx), all, func(g report.InstitutionGrade) string { return g.CountyCode })
	sort.Slice(out, func(i, j int) bool { return out[i].USCC < out[j].USCC })
	return out, nil
}

// allowed keeps the items whose county (the county of the grade, not
// the register's now) the scope may see: one filter for grades and
// downgrades alike.
func allowed[T any](sc Scope, items []T, county func(T) string) []T {
	var out []T
	for _, it := range items {
		if sc.Allows(county(it)) {
			out = append(out, it)
		}
	}
	return out
}

// visibleDowngrades returns the downgrades from < d ≤ to the request's
// scope may see, by the county of the grade lowered to, as visible reads
// grades: a county sees the downgrades it made, with their clauses and
// evidence, and not those another county made of an institution that
// moved between them.
func (s *Server) visibleDowngrades(ctx context.Context, from, to time.Time) ([]report.Change, error) {
	src, err := s.source(ctx)
	if err != nil {
		return nil, err
	}
	all, err := src.Downgrades(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return allowed(scopeOf(ctx), all, func(d report.Change) string { return d.CountyCode }), nil
}

// shown is an institution as the pages and the API show it on a day: its
// grade, or, when no grade shows it then (not yet evaluated, or its
// licence cancelled), the register's answer for it — Ungraded set, the
// embedded grade holding only its USCC, name and county.
type shown struct {
	report.InstitutionGrade
	Ungraded *report.Ungraded
}

// eligibility answers as the command line does (docs/rules.md §5): by the
// grade in force, else not eligible with the reason no grade shows.
func (sh shown) eligibility() report.Eligibility {
	if sh.Ungraded != nil {
		return sh.Ungraded.Eligibility
	}
	return report.EligibilityOf(sh.InstitutionGrade)
}

// institutionAt is the institution of r's {uscc} on r's ?date= (today by
// default), as the caller's scope may see it.
func (s *Server) institutionAt(r *http.Request) (shown, time.Time, error) {
	day, err := s.dateParam(r)
	if err != nil {
		return shown{}, day, err
	}
	g, err := s.institution(r.Context(), r.PathValue("uscc"), day)
	return g, day, err
}

// institution returns one institution on day: its grade, when the scope
// may see the county that made it; else, when no grade shows it that day,
// the register's answer for it (notGraded). It is errNotFound for a grade
// another county made, as visible leaves it out, and for what the
// register lacks.
func (s *Server) institution(ctx context.Context, uscc string, day time.Time) (shown, error) {
	src, err := s.source(ctx)
	if err != nil {
		return shown{}, err
	}
	uscc = transform.NormalizeUSCC(uscc)
	all, err := src.GradesOn(ctx, day)
	if err != nil {
		return shown{}, err
	}
	for _, g := range all {
		if g.USCC == uscc {
			if !scopeOf(ctx).Allows(g.CountyCode) {
				// The register is asked as for a code no grade shows, so
				// the two take the same work: answered at once, another
				// county's grade was told from a code without one by the
				// time the answer took.
				if _, err := s.notGraded(ctx, uscc, day); err != nil && !errors.Is(err, errNotFound) {
					return shown{}, err
				}
				return shown{}, errNotFound
			}
			return shown{InstitutionGrade: g}, nil
		}
	}
	return s.notGraded(ctx, uscc, day)
}

// registerSource answers for the institutions of the register no grade
// shows on a day (report.Ungraded): the sources that read a store.
type registerSource interface {
	NotGraded(ctx context.Context, uscc string, day time.Time) (report.Ungraded, error)
	Register(ctx context.Context, day time.Time) ([]report.Ungraded, error)
}

// mayShow is the scope of an institution no grade shows: the county of
// its last grade, else the register's (report.Ungraded), checked as
// visible checks a grade's county — for the institution page, the API,
// eligibility and search alike.
func mayShow(ctx context.Context, u report.Ungraded) bool {
	return scopeOf(ctx).Allows(u.CountyCode)
}

// notGraded answers for an institution of the register no grade shows on
// day, as the command line does: its register data, no grade, and not
// eligible with the reason (docs/rules.md §5). It is errNotFound for one
// the register lacks or the scope may not see (mayShow).
func (s *Server) notGraded(ctx context.Context, uscc string, day time.Time) (shown, error) {
	src, err := s.source(ctx)
	if err != nil {
		return shown{}, err
	}
	rs, ok := src.(registerSource)
	if !ok {
		return shown{}, errNotFound
	}
	u, err := rs.NotGraded(ctx, transform.NormalizeUSCC(uscc), day)
	if errors.Is(err, grade.ErrUnknown) || err == nil && !mayShow(ctx, u) {
		return shown{}, errNotFound
	}
	if err != nil {
		return shown{}, err
	}
	return shown{InstitutionGrade: u.InstitutionGrade, Ungraded: &u}, nil
}

// ungradedVisible returns the institutions of the register no grade in
// all shows on day that the scope may see (mayShow).
func (s *Server) ungradedVisible(ctx context.Context, all []report.InstitutionGrade, day time.Time) ([]shown, error) {
	src, err := s.source(ctx)
	if err != nil {
		return nil, err
	}
	rs, ok := src.(registerSource)
	if !ok {
		return nil, nil
	}
	us, err := rs.Register(ctx, day)
	if err != nil {
		return nil, err
	}
	graded := make(map[string]bool, len(all))
	for _, g := range all {
		graded[g.USCC] = true
	}
	var out []shown
	for i := range us {
		if u := &us[i]; !graded[u.USCC] && mayShow(ctx, *u) {
			out = append(out, shown{InstitutionGrade: u.InstitutionGrade, Ungraded: u})
		}
	}
	return out, nil
}

// unitParam returns the unit named in the path when the scope may see it.
func unitParam(r *http.Request, code string) (report.Unit, error) {
	u, err := report.LookupUnit(code)
	if err != nil || !scopeOf(r.Context()).AllowsUnit(u.Code) {
		return report.Unit{}, errNotFound
	}
	return u, nil
}

// search finds the institutions the scope may see on day — those graded
// (visible) and those of the register no grade shows (ungradedVisible) —
// whose name as graded or name in the register now contains q (compared
// after NFKC and bracket normalisation) or whose USCC contains it: a
// person searches by the part of a code they have at hand, not only its
// start.
func (s *Server) search(ctx context.Context, q string, day time.Time) ([]shown, bool, error) {
	src, err := s.source(ctx)
	if err != nil {
		return nil, false, err
	}
	all, err := src.GradesOn(ctx, day)
	if err != nil {
		return nil, false, err
	}
	var cands []shown
	for _, g := range allowed(scopeOf(ctx), all, func(g report.InstitutionGrade) string { return g.CountyCode }) {
		cands = append(cands, shown{InstitutionGrade: g})
	}
	ungraded, err := s.ungradedVisible(ctx, all, day)
	if err != nil {
		return nil, false, err
	}
	cands = append(cands, ungraded...)
	sort.Slice(cands, func(i, j int) bool { return cands[i].USCC < cands[j].USCC })
	name, code := transform.NormalizeName(q), transform.NormalizeUSCC(q)
	var out []shown
	for _, g := range cands {
		if name == "" || strings.Contains(transform.NormalizeName(g.Name), name) || g.RegisterName != "" && strings.Contains(transform.NormalizeName(g.RegisterName), name) || strings.Contains(g.USCC, code) {
			if len(out) == searchLimit {
				return out, true, nil
			}
			out = append(out, g)
		}
	}
	return out, false, nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	if err := formatParam(r); err != nil {
		return err
	}
	sc := scopeOf(r.Context())
	writeJSON(w, http.StatusOK, map[string]string{"scope": sc.Code(), "name": sc.Name(), "today": transform.FormatDate(s.today())})
	return nil
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	if err := formatParam(r); err != nil {
		return err
	}
	day, err := s.dateParam(r)
	if err != nil {
		return err
	}
	found, more, err := s.search(r.Context(), r.URL.Query().Get(paramQuery), day)
	if err != nil {
		return err
	}
	out := searchJSON{Date: transform.FormatDate(day), Truncated: more, Results: []institutionJSON{}}
	for _, g := range found {
		out.Results = append(out.Results, briefShown(g))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiInstitution(w http.ResponseWriter, r *http.Request) error {
	if err := formatParam(r); err != nil {
		return err
	}
	g, day, err := s.institutionAt(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, detail(g, day))
	return nil
}

func (s *Server) apiExplain(w http.ResponseWriter, r *http.Request) error {
	if err := formatParam(r); err != nil {
		return err
	}
	g, day, err := s.institutionAt(r)
	if err != nil {
		return err
	}
	out := explainJSON{institutionJSON: briefShown(g), Date: transform.FormatDate(day), Clauses: clauses(g.Clauses, true)}
	if len(g.Clauses) == 0 && g.Ungraded == nil {
		out.Summary = grade.AText
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiEligibility(w http.ResponseWriter, r *http.Request) error {
	if err := formatParam(r); err != nil {
		return err
	}
	g, day, err := s.institutionAt(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, eligibilityJSON{institutionJSON: briefShown(g), Date: transform.FormatDate(day), verdictJSON: verdict(g.eligibility())})
	return nil
}

// history is an institution's grade at each month-end, with its
// downgrades, from what the source offers.
type history struct {
	Inst       report.InstitutionGrade // as last seen
	Months     []historyMonth
	Downgrades []report.Change
}

type historyMonth struct {
	Date  time.Time
	Grade grade.Grade // "" when not graded that day
	IDs   []string
	// State labels a grade not in force that day (公示中, 异议复核中, …),
	// Code names it as the JSON does (publicized, …); InForce is then the
	// grade in force beside it, "" when none.
	State, Code string
	InForce     grade.Grade
}

func (s *Server) history(ctx context.Context, uscc string, m report.Months) (*history, error) {
	uscc = transform.NormalizeUSCC(uscc)
	h := &history{}
	seen := false
	for _, day := range m.Ends {
		gs, err := s.visible(ctx, day)
		if err != nil {
			return nil, err
		}
		hm := historyMonth{Date: day}
		for _, g := range gs {
			if g.USCC == uscc {
				h.Inst, seen = g, true
				hm.Grade = g.Grade
				if g.State != report.StateInForce {
					hm.State, hm.Code, hm.InForce = report.StateName(g), stateJSON(g), g.InForceGrade
				}
				for _, c := range g.Clauses {
					hm.IDs = append(hm.IDs, c.ID)
				}
			}
		}
		h.Months = append(h.Months, hm)
	}
	if !seen {
		// An institution of the register no grade shows in these months
		// has them all ungraded, when the scope may see it (notGraded).
		sh, err := s.notGraded(ctx, uscc, s.today())
		if err != nil {
			return nil, err
		}
		h.Inst = sh.InstitutionGrade
	}
	// Month by month, as the trends ask: a source that compares two days
	// dates a change by the month it was first seen in, not the last.
	from := m.Base
	for _, to := range m.Ends {
		downs, err := s.visibleDowngrades(ctx, from, to)
		if err != nil {
			return nil, err
		}
		for _, d := range downs {
			if d.USCC == uscc {
				h.Downgrades = append(h.Downgrades, d)
			}
		}
		from = to
	}
	return h, nil
}

func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) error {
	if err := formatParam(r); err != nil {
		return err
	}
	m, err := s.monthsParam(r)
	if err != nil {
		return err
	}
	h, err := s.history(r.Context(), r.PathValue("uscc"), m)
	if err != nil {
		return err
	}
	out := historyJSON{USCC: h.Inst.USCC, Name: h.Inst.Name, Downgrades: []changeJSON{}}
	for _, hm := range h.Months {
		mj := monthJSON{Date: transform.FormatDate(hm.Date), Grade: optText(hm.Grade), Clauses: nonNil(hm.IDs), State: "in_force", GradeInForce: optText(hm.Grade)}
		if hm.Grade == "" {
			mj.State = ""
		}
		if hm.State != "" {
			mj.State, mj.StateLabel, mj.GradeInForce = optText(hm.Code), hm.State, optText(hm.InForce)
		}
		out.Months = append(out.Months, mj)
	}
	for _, d := range h.Downgrades {
		out.Downgrades = append(out.Downgrades, change(d))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiGrades(w http.ResponseWriter, r *http.Request) error {
	if err := formatParam(r); err != nil {
		return err
	}
	day, err := s.dateParam(r)
	if err != nil {
		return err
	}
	unit := report.City()
	if code := r.URL.Query().Get(paramCounty); code != "" {
		if unit, err = unitParam(r, code); err != nil {
			return err
		}
	}
	gs, err := s.visible(r.Context(), day)
	if err != nil {
		return err
	}
	out := gradesJSON{Date: transform.FormatDate(day), Unit: unit.Code, Grades: []gradeJSON{}}
	if unit.Code == report.CityCode {
		out.Unit = scopeOf(r.Context()).Code()
	}
	var n report.Counts
	for _, g := range gs {
		if !unit.Contains(g.CountyCode) {
			continue
		}
		n.Add(g)
		out.Grades = append(out.Grades, gradeJSON{institutionJSON: brief(g), Clauses: nonNil(clauseIDs(g.Clauses))})
	}
	out.Counts, out.Publicized, out.UnderReview = distJSON(n.Dist), distJSON(n.Publicized), distJSON(n.UnderReview)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// countyTrend is the trend of the county in r's {code} over r's months;
// the city, an unknown code or one outside the caller's scope is not found.
func (s *Server) countyTrend(r *http.Request) (*report.Trend, report.Months, error) {
	src, err := s.source(r.Context())
	if err != nil {
		return nil, report.Months{}, err
	}
	u, err := unitParam(r, r.PathValue("code"))
	if err != nil || u.Code == report.CityCode {
		return nil, report.Months{}, errNotFound
	}
	m, err := s.monthsParam(r)
	if err != nil {
		return nil, m, err
	}
	t, err := report.CountyTrend(r.Context(), src, u, m, s.now())
	return t, m, err
}

func (s *Server) apiCountyTrend(w http.ResponseWriter, r *http.Request) error {
	if err := formatParam(r); err != nil {
		return err
	}
	t, _, err := s.countyTrend(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, trend(t))
	return nil
}

func (s *Server) apiCityTrend(w http.ResponseWriter, r *http.Request) error {
	src, err := s.source(r.Context())
	if err != nil {
		return err
	}
	if err := formatParam(r); err != nil {
		return err
	}
	if !scopeOf(r.Context()).City() {
		return errNotFound
	}
	m, err := s.monthsParam(r)
	if err != nil {
		return err
	}
	o, err := report.CityOverview(r.Context(), src, m, s.now())
	if err != nil {
		return err
	}
	out := overviewJSON{City: trend(&o.City)}
	for i := range o.Units {
		out.Units = append(out.Units, trend(&o.Units[i]))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func clauseIDs(cs []report.ClauseRef) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

// nonNil makes an empty list encode as [] rather than null, so clients
// need not tell the two apart.
func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// countyName names a division for people, saying so when it lies outside
// Xuchang.
func countyName(code string) string {
	if n := transform.CountyName(code); n != "" {
		return n
	}
	return "许昌以外 (" + code + ")"
}
