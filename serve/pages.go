package serve

import (
	"bytes"
	"embed"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/report"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var pageFuncs = func() template.FuncMap {
	f := maps.Clone(report.Funcs)
	f["county"] = countyName
	f["kind"] = kindLabel
	return f
}()

// pages holds one template set per page: the layout plus the page's
// "content".
var pages = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for _, name := range []string{"home", "search", "institution", "county", "city", "reports", "login", "error"} {
		m[name] = template.Must(template.New("layout.tmpl").Funcs(pageFuncs).
			ParseFS(templateFiles, "templates/layout.tmpl", "templates/"+name+".tmpl"))
	}
	return m
}()

// pageData is what the layout needs around a page's own data.
type pageData struct {
	Title    string
	CSS      template.CSS
	SignedIn bool
	Scope    Scope
	Units    []report.Unit // dashboards the scope may open
	Data     any
}

// renderPage renders into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	sc := scopeOf(r.Context())
	pd := pageData{Title: title, CSS: report.Stylesheet(), SignedIn: sc.Code() != "", Scope: sc, Data: data}
	if pd.SignedIn {
		pd.Units = sc.Units()
	}
	var buf bytes.Buffer
	if err := pages[name].Execute(&buf, pd); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "内部错误 Internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // the status is sent; a broken connection is all that is left
}

// unitCard is one unit's grades today on the home page, counted as the
// dashboards count them (report.Counts): in force, and apart those
// publicized or under objection.
type unitCard struct {
	Unit report.Unit
	report.Counts
	Link string
}

func unitLink(u report.Unit) string {
	if u.Code == report.CityCode {
		return "/city"
	}
	return "/counties/" + u.Code
}

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) error {
	day := s.today()
	gs, err := s.visible(r.Context(), day)
	if err != nil {
		return err
	}
	var cards []unitCard
	for _, u := range scopeOf(r.Context()).Units() {
		c := unitCard{Unit: u, Link: unitLink(u)}
		for _, g := range gs {
			if u.Contains(g.CountyCode) {
				c.Add(g)
			}
		}
		cards = append(cards, c)
	}
	s.renderPage(w, r, http.StatusOK, "home", "许昌市人力资源服务机构信用等级", struct {
		Today  time.Time
		Grades []grade.Grade
		Cards  []unitCard
	}{day, grade.Grades, cards})
	return nil
}

func (s *Server) pageSearch(w http.ResponseWriter, r *http.Request) error {
	day, err := s.dateParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query().Get("q")
	found, more, err := s.search(r.Context(), q, day)
	if err != nil {
		return err
	}
	s.renderPage(w, r, http.StatusOK, "search", "机构查询 Search", struct {
		Q         string
		Date      time.Time
		Results   []shown
		Truncated bool
	}{q, day, found, more})
	return nil
}

// clauseView is a clause on the institution page, with its rule and
// each piece of evidence told in Chinese.
type clauseView struct {
	report.ClauseRef
	Grade, Reading string
	Explained      []string // one sentence per Evidence
}

func (s *Server) pageInstitution(w http.ResponseWriter, r *http.Request) error {
	g, day, err := s.institutionAt(r)
	if err != nil {
		return err
	}
	months, err := report.ParseMonths("", day.Format("2006-01"), s.today())
	if err != nil {
		return err
	}
	h, err := s.history(r.Context(), g.USCC, months)
	if err != nil {
		return err
	}
	var cls []clauseView
	for _, c := range g.Clauses {
		def, _ := grade.LookupClause(c.ID)
		cv := clauseView{ClauseRef: c, Grade: string(def.Grade), Reading: def.Reading}
		for _, e := range c.Evidence {
			cv.Explained = append(cv.Explained, report.EvidenceText(g.InstitutionGrade, c.ID, e))
		}
		cls = append(cls, cv)
	}
	// The grade in force beside a newer one publicized or under
	// objection is shown too, labelled: eligibility goes by it.
	var inForce *report.InstitutionGrade
	if c, ok := g.Current(); ok && g.State != report.StateInForce {
		inForce = &c
	}
	// An institution no grade shows (Ungraded) is shown with its
	// register data, as 尚未评价 or 许可已注销, and no grade.
	s.renderPage(w, r, http.StatusOK, "institution", g.Name, struct {
		G           report.InstitutionGrade
		Ungraded    *report.Ungraded
		InForce     *report.InstitutionGrade
		Date        time.Time
		Clauses     []clauseView
		AText       string
		Eligibility report.Eligibility
		History     *history
	}{g.InstitutionGrade, g.Ungraded, inForce, day, cls, grade.AText, g.eligibility(), h})
	return nil
}

// rangeForm is the month range a dashboard shows, for its form and its
// download links.
type rangeForm struct {
	From, To string
	Query    string // "from=…&to=…", to append to links
}

func rangeOf(m report.Months) rangeForm {
	f := rangeForm{From: m.Ends[0].Format("2006-01"), To: m.Ends[len(m.Ends)-1].Format("2006-01")}
	f.Query = url.Values{"from": {f.From}, "to": {f.To}}.Encode()
	return f
}

func (s *Server) pageCounty(w http.ResponseWriter, r *http.Request) error {
	t, m, err := s.countyTrend(r)
	if err != nil {
		return err
	}
	body, err := report.TrendBody(t)
	if err != nil {
		return err
	}
	s.renderPage(w, r, http.StatusOK, "county", t.Unit.Name+" 看板", struct {
		Unit  report.Unit
		Range rangeForm
		Body  template.HTML
	}{t.Unit, rangeOf(m), body})
	return nil
}

func (s *Server) pageCity(w http.ResponseWriter, r *http.Request) error {
	src, err := s.source(r.Context())
	if err != nil {
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
	body, err := report.OverviewBody(o)
	if err != nil {
		return err
	}
	s.renderPage(w, r, http.StatusOK, "city", "全市总览 City overview", struct {
		Unit  report.Unit
		Range rangeForm
		Body  template.HTML
	}{report.City(), rangeOf(m), body})
	return nil
}

// kindLabel names a record or evidence kind for people: a list's short
// title for the evidence drawn from it, else the kind of an inspection.
func kindLabel(k string) string {
	if l, ok := contract.ByEvidence(k); ok {
		return l.ShortTitle()
	}
	if n, ok := kindLabels[k]; ok {
		return n
	}
	return k
}

var kindLabels = map[string]string{
	"violation": "违法违规", "fund_fraud": "骗取资金", "false_materials": "虚假材料",
	"conditions_unmet": "不符合设立条件", "compliance_failure": "未按规定履行", "commitment_breach": "未履行承诺",
}
