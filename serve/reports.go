package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/transform"
)

// reportKinds are the downloads, by the path segment that names them:
// the trend and the public list, then what the notice's §十 asks a county
// to send — 汇总表 (附件2), 诚信机构典型名单, 动态调整情况 — and its 附件1,
// then the lists to act on and the records contradicting the register.
// Each in the formats the command line writes it in: every table a person
// opens as XLSX too.
var reportKinds = []reportKind{
	{"trend", "信用等级趋势报告 Trend report", []string{"html", "xlsx", "csv"}, true, false, false},
	{"public", "公示名单 Public list", []string{"html", "xlsx", "csv"}, false, false, false},
	{"summary", "附件2 汇总表 Summary table", []string{"xlsx"}, false, false, false},
	{"typical", "诚信机构典型名单 Exemplary institutions", []string{"xlsx", "csv"}, false, false, false},
	{"adjustments", "动态调整情况 Grade changes since the last 附件2", []string{"xlsx", "csv"}, false, true, false},
	{"commitments", "附件1 诚信承诺书 Commitment letters", []string{"html"}, false, false, false},
	{"watch", "待办名单 Lists to act on", []string{"html", "xlsx", "csv"}, false, false, true},
	{"conflicts", "数据矛盾 Records contradicting the register", []string{"xlsx", "csv"}, false, false, true},
}

type reportKind struct {
	kind, title string
	formats     []string
	monthly     bool // takes from/to; else on (or date)
	history     bool // needs the recorded grade history (noticeSource)
	lists       bool // needs the store's register, records and rules (listSource)
}

// noticeSource is what a source of grades needs beyond them for the
// 动态调整情况: report.HistorySource, the source of a store with recorded
// evaluations. Without it the 动态调整情况 is not offered.
type noticeSource interface {
	Adjustments(ctx context.Context, u report.Unit, to time.Time) (*report.Adjustments, error)
}

// commitmentSource is a source with a register, which the 附件1 letters
// are read from (report.UnsignedCommitments, as the command line reads
// them): both sources of a store. Without it 附件1 is the notice's blank
// form.
type commitmentSource interface {
	Commitments(ctx context.Context, u report.Unit, day time.Time) (*report.Commitments, error)
}

// listSource is a source over a store, whose register, records and
// rules the watch lists and the 数据矛盾 are read from, as the command
// line reads them: both sources of a store. Without it they are not
// offered.
type listSource interface {
	Watch(ctx context.Context, u report.Unit, day time.Time) (*report.Watch, error)
	Conflicts(ctx context.Context, u report.Unit, day time.Time) (*report.Conflicts, error)
}

// downloadLink is one file on the reports page.
type downloadLink struct {
	Format, URL string
}

type downloadRow struct {
	Unit  report.Unit
	Kinds []downloadKind
}

type downloadKind struct {
	Title string
	Links []downloadLink
}

func (s *Server) pageReports(w http.ResponseWriter, r *http.Request) error {
	src, err := s.source(r.Context())
	if err != nil {
		return err
	}
	m, err := s.monthsParam(r)
	if err != nil {
		return err
	}
	day, err := s.dateParam(r)
	if err != nil {
		return err
	}
	rf := rangeOf(m)
	dateQuery := url.Values{"date": {transform.FormatDate(day)}}.Encode()
	var rows []downloadRow
	_, recorded := src.(noticeSource)
	_, lists := src.(listSource)
	for _, u := range scopeOf(r.Context()).Units() {
		row := downloadRow{Unit: u}
		for _, k := range reportKinds {
			dk := downloadKind{Title: k.title}
			if k.history && !recorded || k.lists && !lists {
				row.Kinds = append(row.Kinds, dk) // no links: nothing recorded to list
				continue
			}
			q := dateQuery
			if k.monthly {
				q = rf.Query
			}
			for _, f := range k.formats {
				dk.Links = append(dk.Links, downloadLink{Format: strings.ToUpper(f), URL: "/reports/" + k.kind + "/" + u.Code + "." + f + "?" + q})
			}
			row.Kinds = append(row.Kinds, dk)
		}
		rows = append(rows, row)
	}
	s.renderPage(w, r, http.StatusOK, "reports", "报表下载 Reports", struct {
		Range           rangeForm
		Date            time.Time
		Rows            []downloadRow
		CommitmentsNote string
		PublicNote      string
	}{rf, day, rows, report.CommitmentsNote, report.PublicNote()})
	return nil
}

// download builds a report and sends it as a file. It is built whole
// before anything is sent, so a failure is an error page, not a cut file.
func (s *Server) download(w http.ResponseWriter, r *http.Request) error {
	src, err := s.source(r.Context())
	if err != nil {
		return err
	}
	code, format, ok := strings.Cut(r.PathValue("file"), ".")
	if !ok {
		return errNotFound
	}
	u, err := unitParam(r, code)
	if err != nil {
		return err
	}
	// Checked before building: a report costs a grading per month.
	i := slices.IndexFunc(reportKinds, func(k reportKind) bool {
		return k.kind == r.PathValue("kind") && slices.Contains(k.formats, format)
	})
	if i < 0 {
		return errNotFound
	}
	params := []string{paramOn}
	if reportKinds[i].monthly {
		params = []string{paramFrom, paramTo}
	}
	if err := checkParams(r, params...); err != nil {
		return err
	}
	ctx := r.Context()
	var doc any
	var name string
	switch r.PathValue("kind") {
	case "trend":
		m, err := s.monthsParam(r)
		if err != nil {
			return err
		}
		rng := m.Ends[0].Format("2006-01") + "至" + m.Ends[len(m.Ends)-1].Format("2006-01")
		if u.Code == report.CityCode {
			doc, err = report.CityOverview(ctx, src, m, s.now())
			name = "许昌市信用等级总览-" + rng
		} else {
			doc, err = report.CountyTrend(ctx, src, u, m, s.now())
			name = u.Name + "信用等级趋势-" + rng
		}
		if err != nil {
			return err
		}
	case "summary":
		day, err := s.dateParam(r)
		if err != nil {
			return err
		}
		// 填报时间 is filled only when a date is asked for, as on the
		// command line: otherwise the notice's blank is left to fill.
		var filed time.Time
		if q := r.URL.Query(); q.Get(paramOn) != "" || q.Get(paramDate) != "" {
			filed = day
		}
		if doc, err = report.BuildSummary(ctx, src, u, day, filed); err != nil {
			return err
		}
		name = u.Name + "附件2汇总表-" + transform.FormatDate(day)
	case "public":
		day, err := s.dateParam(r)
		if err != nil {
			return err
		}
		l, err := report.BuildPublicList(ctx, src, u, day, s.now())
		if err != nil {
			return err
		}
		l.Contact = s.contacts.For(u)
		doc = l
		name = u.Name + "信用等级公示名单-" + transform.FormatDate(day)
	case "typical":
		day, err := s.dateParam(r)
		if err != nil {
			return err
		}
		if doc, err = report.BuildTypical(ctx, src, u, day.Year(), day); err != nil {
			return err
		}
		name = u.Name + "诚信机构典型名单-" + transform.FormatDate(day)
	case "adjustments":
		day, err := s.dateParam(r)
		if err != nil {
			return err
		}
		ns, ok := src.(noticeSource)
		if !ok {
			return errNotFound
		}
		if doc, err = ns.Adjustments(ctx, u, day); err != nil {
			if errors.Is(err, report.ErrNoEvaluation) {
				return &httpError{http.StatusNotFound, "没有可对比的评价 " + err.Error()}
			}
			return err
		}
		name = u.Name + "动态调整情况-" + transform.FormatDate(day)
	case "commitments":
		day, err := s.dateParam(r)
		if err != nil {
			return err
		}
		// The command line's letters, from the register: one pre-filled
		// for each institution without a commitment on file, or the
		// sentence that all have signed or that the unit has none — never
		// the blank form then, which read as a letter still to sign. Only
		// a source without a register (given grades) offers the blank.
		doc = report.BlankCommitment(u, day)
		if cs, ok := src.(commitmentSource); ok {
			if doc, err = cs.Commitments(ctx, u, day); err != nil {
				return err
			}
		}
		name = u.Name + "附件1诚信承诺书-" + transform.FormatDate(day)
	case "watch", "conflicts":
		day, err := s.dateParam(r)
		if err != nil {
			return err
		}
		rs, ok := src.(listSource)
		if !ok {
			return errNotFound
		}
		if r.PathValue("kind") == "watch" {
			doc, err = rs.Watch(ctx, u, day)
			name = u.Name + "待办名单-" + transform.FormatDate(day)
		} else {
			doc, err = rs.Conflicts(ctx, u, day)
			name = u.Name + "数据矛盾-" + transform.FormatDate(day)
		}
		if err != nil {
			return err
		}
	default:
		return errNotFound
	}
	// An empty form would read as "no institutions": say why instead, as
	// the command line does.
	why, err := report.Nothing(ctx, src, doc)
	if err != nil {
		return err
	}
	if why != "" {
		_, day := report.Empty(doc)
		return &httpError{http.StatusNotFound, fmt.Sprintf("没有可报告的内容 Nothing to report on %s: %s", transform.FormatDate(day), why)}
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, doc, format); err != nil {
		return err
	}
	w.Header().Set("Content-Type", report.ContentType(format))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + "." + format}))
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	_, err = buf.WriteTo(w)
	return err
}
