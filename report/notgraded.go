package report

import (
	"context"
	"fmt"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Ungraded is an institution of the register that no grade shows on a
// day — not yet evaluated, or its licence cancelled, which ends the grade
// (docs/rules.md §4.7) — as the pages and the eligibility answer show it:
// its register data and no grade. The embedded InstitutionGrade carries
// only the USCC, the name and the county: those of its last grade, else
// the register's (RegisterName the register's name when it differs), the
// county the pages check the scope by, as they do a grade's.
type Ungraded struct {
	InstitutionGrade
	// LicensedOn is the day of its licence; CancelledOn the day the
	// licence was cancelled, zero unless that is on or before the day.
	LicensedOn, CancelledOn time.Time
	// Eligibility is not eligible, with the reason (§5).
	Eligibility Eligibility
}

// State names how an institution no grade shows stands, as the API
// writes it beside the states of a grade: cancelled (licence cancelled)
// or not_evaluated.
func (u Ungraded) State() string {
	if !u.CancelledOn.IsZero() {
		return "cancelled"
	}
	return "not_evaluated"
}

// Label is State in Chinese, as the pages print it: 许可已注销 or 尚未评价.
func (u Ungraded) Label() string {
	if !u.CancelledOn.IsZero() {
		return "许可已注销"
	}
	return "尚未评价"
}

// NotGraded answers for one institution of the register that no grade
// shows on day (Ungraded). It returns grade.ErrUnknown when the register
// does not hold the USCC.
func NotGraded(ctx context.Context, s store.Store, uscc string, day time.Time) (Ungraded, error) {
	us, err := register(ctx, s, uscc, day)
	if err != nil {
		return Ungraded{}, fmt.Errorf("institution %s in the register: %w", uscc, err)
	}
	if len(us) == 0 {
		return Ungraded{}, fmt.Errorf("%s: %w", uscc, grade.ErrUnknown)
	}
	return us[0], nil
}

// Register returns every institution of the register, in USCC order, each
// as NotGraded answers for it on day: the pages show those among them no
// grade shows on day.
func Register(ctx context.Context, s store.Store, day time.Time) ([]Ungraded, error) {
	us, err := register(ctx, s, "", day)
	if err != nil {
		return nil, fmt.Errorf("institutions of the register: %w", err)
	}
	return us, nil
}

// register reads the register's institutions (all when uscc is "") and
// answers for each as one no grade shows on day. The county of the last
// grade, else the register's, is decided here alone, for one institution
// and for all.
func register(ctx context.Context, s store.Store, uscc string, day time.Time) ([]Ungraded, error) {
	day = grade.Date(day)
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "report/register_institution"), store.Params{"uscc": uscc})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Ungraded
	for rows.Next() {
		var u Ungraded
		var status, lastName, lastCounty string
		var licensed time.Time
		var statusOn *time.Time
		if err := rows.Scan(&u.USCC, &u.Name, &u.CountyCode, &licensed, &status, &statusOn, &lastName, &lastCounty); err != nil {
			return nil, err
		}
		if lastCounty != "" {
			if lastName != u.Name {
				u.RegisterName = u.Name
			}
			// A grade filled from the register (migration 0200) may
			// carry a retired county code, as lifecycle reads it.
			u.Name, u.CountyCode = lastName, transform.CurrentCountyCode(lastCounty)
		}
		u.LicensedOn = grade.Date(licensed)
		switch {
		case status == "cancelled" && statusOn != nil && !statusOn.After(day):
			u.CancelledOn = grade.Date(*statusOn)
			u.Eligibility.Reason = "人力资源服务许可于" + dayCN(u.CancelledOn) + "注销，信用等级自当日终止，暂无有效信用等级"
		case u.LicensedOn.After(day):
			u.Eligibility.Reason = dayCN(u.LicensedOn) + "取得人力资源服务许可，" + dayCN(day) + "尚无信用等级"
		default:
			u.Eligibility.Reason = "尚未评价，暂无有效信用等级，评价后方可认定"
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// NotGraded answers for an institution no grade shows on day (NotGraded).
func (h *HistorySource) NotGraded(ctx context.Context, uscc string, day time.Time) (Ungraded, error) {
	return NotGraded(ctx, h.Store, uscc, day)
}

// Register answers for every institution of the register (Register).
func (h *HistorySource) Register(ctx context.Context, day time.Time) ([]Ungraded, error) {
	return Register(ctx, h.Store, day)
}

// NotGraded answers for an institution no grade shows on day (NotGraded).
func (c *ComputeSource) NotGraded(ctx context.Context, uscc string, day time.Time) (Ungraded, error) {
	return NotGraded(ctx, c.Store, uscc, day)
}

// Register answers for every institution of the register (Register).
func (c *ComputeSource) Register(ctx context.Context, day time.Time) ([]Ungraded, error) {
	return Register(ctx, c.Store, day)
}
