package report

import (
	"context"
	"fmt"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
)

// PublicList is the list the bureau publishes on its website: who has
// which grade, valid when. It holds nothing else on purpose — clauses,
// evidence and records are internal.
type PublicList struct {
	Unit      Unit
	Day       time.Time
	Rows      []PublicRow
	Generated time.Time
}

// PublicRow is one institution of the public list.
type PublicRow struct {
	Name, USCC, Grade     string
	ValidFrom, ValidUntil time.Time
	Expired               bool // past ValidUntil without a new evaluation
}

// BuildPublicList builds the public list of unit u from the grades on day,
// by grade then USCC; now is when it is made.
func BuildPublicList(ctx context.Context, src Source, u Unit, day, now time.Time) (*PublicList, error) {
	day = grade.Date(day)
	gs, err := src.GradesOn(ctx, day)
	if err != nil {
		return nil, fmt.Errorf("public list of %s: %w", u.Name, err)
	}
	l := &PublicList{Unit: u, Day: day, Generated: now}
	for _, g := range inUnit(gs, u) {
		l.Rows = append(l.Rows, PublicRow{Name: g.Name, USCC: g.USCC, Grade: g.Grade, ValidFrom: g.ValidFrom, ValidUntil: g.ValidUntil, Expired: g.Expired})
	}
	return l, nil
}

func (l *PublicList) table() table {
	tb := table{Sheet: "公示名单", Title: "公示名单 Public list",
		Header: []string{"序号", "机构名称", "统一社会信用代码", "信用等级", "有效期起", "有效期至"},
		Widths: []float64{6, 36, 22, 10, 12, 12}}
	for i, r := range l.Rows {
		until := grade.FormatDate(r.ValidUntil)
		if r.Expired {
			// The public must not read an expired grade as current.
			until += "（已过期）"
		}
		tb.Rows = append(tb.Rows, []cell{num(i + 1), text(r.Name), text(r.USCC), gradeCell(r.Grade),
			text(grade.FormatDate(r.ValidFrom)), text(until)})
	}
	return tb
}
