package report

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// NotGraded answers for an institution of the register that no grade
// shows on day — not yet evaluated, or its licence cancelled, which ends
// the grade (docs/rules.md §4.7): not eligible, with that reason (§5), as
// lifecycle.CheckEligibility answers on the command line. The institution
// carries the county of its last grade, else the register's, for the
// pages to check the scope by as they do a grade's. It returns
// grade.ErrUnknown when the register does not hold the USCC.
func NotGraded(ctx context.Context, s store.Store, uscc string, day time.Time) (InstitutionGrade, Eligibility, error) {
	day = grade.Date(day)
	var g InstitutionGrade
	var licensed time.Time
	var status string
	var statusOn *time.Time
	err := store.QueryRow(ctx, s, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "report/register_institution"),
		store.Params{"uscc": uscc}, &g.Name, &g.CountyCode, &licensed, &status, &statusOn)
	if errors.Is(err, store.ErrNoRows) {
		return g, Eligibility{}, fmt.Errorf("%s: %w", uscc, grade.ErrUnknown)
	}
	if err != nil {
		return g, Eligibility{}, fmt.Errorf("institution %s in the register: %w", uscc, err)
	}
	g.USCC = uscc
	h, err := lifecycle.History(ctx, s, uscc)
	if err != nil {
		return g, Eligibility{}, fmt.Errorf("eligibility of %s: %w", uscc, err)
	}
	if len(h) > 0 {
		last := h[len(h)-1]
		if last.Name != g.Name {
			g.RegisterName = g.Name
		}
		g.Name, g.CountyCode = last.Name, last.CountyCode
	}
	switch {
	case status == "cancelled" && statusOn != nil && !statusOn.After(day):
		return g, Eligibility{Reason: "人力资源服务许可于" + dayCN(*statusOn) + "注销，信用等级自当日终止，暂无有效信用等级"}, nil
	case licensed.After(day):
		return g, Eligibility{Reason: dayCN(licensed) + "取得人力资源服务许可，" + dayCN(day) + "尚无信用等级"}, nil
	}
	return g, Eligibility{Reason: "尚未评价，暂无有效信用等级，评价后方可认定"}, nil
}

// NotGraded answers for an institution no grade shows on day (NotGraded).
func (h *HistorySource) NotGraded(ctx context.Context, uscc string, day time.Time) (InstitutionGrade, Eligibility, error) {
	return NotGraded(ctx, h.Store, uscc, day)
}

// NotGraded answers for an institution no grade shows on day (NotGraded).
func (c *ComputeSource) NotGraded(ctx context.Context, uscc string, day time.Time) (InstitutionGrade, Eligibility, error) {
	return NotGraded(ctx, c.Store, uscc, day)
}
