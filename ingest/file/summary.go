package file

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// SummaryOptions tune ImportSummary.
type SummaryOptions struct {
	ImportOptions
	// Unit is the submitting unit's code (a county code or 411000); by
	// default it is read from the 填报单位 line above the table, else
	// from the 评价单位 column.
	Unit string
	// AsOf is the date of the submitted grades; by default the 填报时间
	// line above the table.
	AsOf time.Time
	// Filing names the filing the table is part of (NewFiling); by
	// default a filing of its own. The files of one filing for the same
	// unit and date make its table together.
	Filing string
}

// ErrSubmission means a 附件2 table does not say who filed it or when,
// and the caller did not either.
var ErrSubmission = errors.New("cannot tell the 附件2's unit or date")

// ImportSummary records a county's 附件2 table (人力资源服务机构信用等级
// 评价汇总表) in the submissions table: the grade it gave each institution,
// with the unit that filed it and the date of its grades. It reads the
// notice's layout (title, 附件2 label, 填报单位 and 填报时间 line, header
// with or without 序号, footnote and signatures) and the one `report
// summary` writes; grades may be written A, A级 or A 级.
func ImportSummary(ctx context.Context, s store.Store, path string, opt SummaryOptions) (Result, error) {
	if opt.Unit != "" {
		if err := knownUnit(opt.Unit); err != nil {
			return Result{Path: path}, err
		}
	}
	filing := opt.Filing
	if filing == "" {
		filing = NewFiling(time.Now())
	}
	pre := &preambleFunc{
		columns: []string{contract.SubmissionUnit, contract.SubmissionDay, contract.SubmissionFiling},
		values: func(t *table, dates transform.SerialDates) ([]string, error) {
			unit, day := opt.Unit, ""
			if !opt.AsOf.IsZero() {
				day = opt.AsOf.Format(time.DateOnly)
			}
			for _, cells := range t.preamble {
				if unit == "" {
					unit = unitIn(labelled(cells, "填报单位"))
				}
				if day == "" {
					day = labelled(cells, "填报时间", "填报日期")
				}
			}
			if unit == "" {
				unit = t.evaluator()
			}
			switch {
			case unit == "":
				return nil, fmt.Errorf("%w: no 填报单位 line above the table names a county of Xuchang, nor does its 评价单位 column; give the unit with --unit CODE", ErrSubmission)
			case day == "":
				return nil, fmt.Errorf("%w: no 填报时间 line above the table; give the date of its grades with --as-of YYYY-MM-DD", ErrSubmission)
			}
			d, _, err := transform.ParseDate(day)
			if err != nil {
				// A date typed into its own cell of a workbook is a day
				// number formatted as a date (46234), as in the table's
				// date columns.
				serial, ok := dates.Parse(day)
				if !ok {
					return nil, fmt.Errorf("%w: 填报时间 %q: %v; give the date of its grades with --as-of YYYY-MM-DD", ErrSubmission, day, err)
				}
				d = serial
			}
			return []string{unit, d.Format(time.DateOnly), filing}, nil
		},
	}
	return importFile(ctx, s, contract.Submissions(), path, opt.ImportOptions, pre)
}

// NewFiling names a filing of a 附件2 made at t (contract.SubmissionFiling):
// UTC to the nanosecond, of fixed width, so that later sorts after.
func NewFiling(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func knownUnit(code string) error {
	if transform.CountyName(code) != "" {
		return nil
	}
	return fmt.Errorf("unit %q: want 411000 (市本级) or a county of Xuchang: %s", code, countyCodes())
}

func countyCodes() string {
	var out []string
	for _, c := range transform.XuchangCounties() {
		out = append(out, c.Code+" "+c.Name)
	}
	return strings.Join(out, ", ")
}

// labelled returns the text after the first of labels in a row: in the
// same cell (填报时间：2026年7月31日) or, when that cell holds only the
// label, in the next non-empty one.
func labelled(cells []string, labels ...string) string {
	for i, c := range cells {
		s := squeeze(c)
		for _, l := range labels {
			at := strings.Index(s, l)
			if at < 0 {
				continue
			}
			rest := s[at+len(l):]
			// （盖章） after 填报单位, then the colon.
			if strings.HasPrefix(rest, "(") {
				if _, after, ok := strings.Cut(rest, ")"); ok {
					rest = after
				}
			}
			rest = strings.TrimLeft(rest, ":：")
			// Both labels in one cell: 填报单位：… 填报时间：…
			for _, other := range []string{"填报时间", "填报日期", "填报单位"} {
				if k := strings.Index(rest, other); k > 0 {
					rest = rest[:k]
				}
			}
			if rest != "" {
				return rest
			}
			for _, next := range cells[i+1:] {
				if n := squeeze(next); n != "" && n != s {
					return n
				}
			}
		}
	}
	return ""
}

// unitIn returns the code of the unit a bureau's name names: a county of
// Xuchang (魏都区人力资源和社会保障局), else the city (许昌市人力资源和
// 社会保障局), or "".
func unitIn(text string) string {
	if text == "" {
		return ""
	}
	for _, c := range transform.XuchangCounties() {
		if strings.Contains(text, c.Name) {
			return c.Code
		}
	}
	if strings.Contains(text, transform.CountyName(transform.CityCode)) {
		return transform.CityCode
	}
	return ""
}

// evaluator returns the unit named in the 评价单位 column of the first
// records read while looking for the header.
func (t *table) evaluator() string {
	fi := -1
	for i, h := range t.header {
		if t.list.HeaderKey(h) == "evaluator" {
			fi = i
		}
	}
	if fi < 0 {
		return ""
	}
	for _, r := range t.pending {
		if fi < len(r.cells) {
			if u := unitIn(r.cells[fi]); u != "" {
				return u
			}
		}
	}
	return ""
}
