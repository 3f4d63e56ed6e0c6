package grade

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// clauseQueries are the clause families, each returning evidence rows of
// (uscc, clauses, kind, id, date, detail) — one row per record, with every
// clause the record supports — for institutions in the register; the
// rows of those not graded at as_of are dropped here, so that who is
// graded is decided by grade/graded alone.
var clauseQueries = []string{
	"grade/institution_clauses",
	"grade/inspection_clauses",
	"grade/report_clauses",
	"grade/external_clauses",
}

// ErrUnknown means a USCC is not in the institutions register.
var ErrUnknown = errors.New("no institution with this USCC in the register")

// NotGradedError says why an institution in the register is not graded at
// a date (docs/rules.md §2).
type NotGradedError struct {
	USCC   string
	AsOf   time.Time
	Reason string
}

func (e *NotGradedError) Error() string {
	return fmt.Sprintf("%s is not graded at %s: %s", e.USCC, transform.FormatDate(e.AsOf), e.Reason)
}

// Compute grades every institution graded at asOf (its calendar date), in
// USCC order. Institutions that are not graded at asOf are left out.
func Compute(ctx context.Context, s store.Store, r *Rules, asOf time.Time) ([]Result, error) {
	return compute(ctx, s, r, Date(asOf), "")
}

// Explain grades one institution at asOf. It returns ErrUnknown when the
// USCC is not in the register and a *NotGradedError when it is but is not
// graded at asOf.
func Explain(ctx context.Context, s store.Store, r *Rules, asOf time.Time, uscc string) (Result, error) {
	t := Date(asOf)
	res, err := compute(ctx, s, r, t, uscc)
	if err != nil {
		return Result{}, err
	}
	if len(res) == 1 {
		return res[0], nil
	}
	reason, err := NotGradedReason(ctx, s, t, uscc)
	if err != nil {
		return Result{}, err
	}
	return Result{}, &NotGradedError{USCC: uscc, AsOf: t, Reason: reason}
}

// NotGradedReason looks the institution up to say why it is not graded
// at t; it returns ErrUnknown when the USCC is not in the register.
func NotGradedReason(ctx context.Context, s store.Store, t time.Time, uscc string) (string, error) {
	var licensed time.Time
	var status string
	var statusOn *time.Time
	err := store.QueryRow(ctx, s, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "grade/institution_status"),
		store.Params{"uscc": uscc}, &licensed, &status, &statusOn)
	if errors.Is(err, store.ErrNoRows) {
		return "", fmt.Errorf("%s: %w", uscc, ErrUnknown)
	}
	if err != nil {
		return "", fmt.Errorf("look up %s: %w", uscc, err)
	}
	if licensed.After(t) {
		return "licensed only on " + transform.FormatDate(licensed), nil
	}
	if statusOn == nil {
		return "licence cancelled (date unknown)", nil
	}
	return "licence cancelled on " + transform.FormatDate(*statusOn), nil
}

func compute(ctx context.Context, s store.Store, r *Rules, t time.Time, only string) ([]Result, error) {
	target := sql.Target{Cluster: s.Cluster()}
	params := r.params(t, only)

	graded, err := listGraded(ctx, s, sql.MustQuery(target, "grade/graded"), params)
	if err != nil {
		return nil, fmt.Errorf("grade at %s: list graded institutions: %w", transform.FormatDate(t), err)
	}
	index := make(map[string]int, len(graded))
	for i, g := range graded {
		index[g.USCC] = i
	}
	// One query at a time: run side by side they competed for the same
	// cores and used more CPU and memory for no faster result.
	for _, name := range clauseQueries {
		err := eachEvidence(ctx, s, sql.MustQuery(target, name), params, func(e evidenceRow) {
			i, ok := index[e.uscc]
			if !ok {
				return // not graded at as_of
			}
			for _, c := range e.clauses {
				addEvidence(&graded[i], c, e.ev)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("grade at %s: %s: %w", transform.FormatDate(t), name, err)
		}
	}
	for i := range graded {
		graded[i].finish()
	}
	return graded, nil
}

func listGraded(ctx context.Context, s store.Store, q string, params store.Params) ([]Result, error) {
	rows, err := s.Query(ctx, q, params)
	if err != nil {
		return nil, err
	}
	var out []Result
	for rows.Next() {
		var res Result
		if err := rows.Scan(&res.USCC, &res.Name, &res.CountyCode); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, res)
	}
	return out, closeRows(rows)
}

// evidenceRow is one row of a clause query: a record and the clauses it
// supports for an institution.
type evidenceRow struct {
	uscc    string
	clauses []string
	ev      Evidence
}

// eachEvidence calls fn with every row of a clause query as it is read,
// so a regrade holds each record once, in its result, not also in a list.
func eachEvidence(ctx context.Context, s store.Store, q string, params store.Params, fn func(evidenceRow)) error {
	rows, err := s.Query(ctx, q, params)
	if err != nil {
		return err
	}
	for rows.Next() {
		var e evidenceRow
		var date *time.Time
		if err := rows.Scan(&e.uscc, &e.clauses, &e.ev.Kind, &e.ev.ID, &date, &e.ev.Detail); err != nil {
			rows.Close()
			return err
		}
		if date != nil {
			e.ev.Date = *date
		}
		fn(e)
	}
	return closeRows(rows)
}

func addEvidence(r *Result, id string, ev Evidence) {
	for i := range r.Clauses {
		if r.Clauses[i].ID == id {
			r.Clauses[i].Evidence = append(r.Clauses[i].Evidence, ev)
			return
		}
	}
	def, _ := LookupClause(id)
	r.Clauses = append(r.Clauses, Clause{ID: id, Grade: def.Grade, Text: def.Text, Evidence: []Evidence{ev}})
}

func closeRows(rows store.Rows) error {
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}

// params are the query parameters every grade query takes.
func (r *Rules) params(t time.Time, only string) store.Params {
	m, d, _ := r.dueMonthDay()
	return store.Params{
		"as_of":         t,
		"only":          only,
		"window_months": r.Window.Months,
		"c1_violations": r.Clauses.C1Violations,
		"c4_months":     r.Clauses.C4LostContactMonths,
		"c5_years":      r.Clauses.C5MissingReportYears,
		"due_month":     int(m),
		"due_day":       d,
	}
}
