package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// filter selects history rows; empty fields select everything.
type filter struct {
	uscc, runID string
	status      Status
	inEffectOn  time.Time
	pendingOn   time.Time // publicized or under review on that day
	startsAfter time.Time // in force from a later day
	open        bool      // in effect with no successor yet
}

func readHistory(ctx context.Context, s store.Store, f filter) ([]Entry, error) {
	var on, pending, after any
	if !f.inEffectOn.IsZero() {
		on = grade.Date(f.inEffectOn)
	}
	if !f.startsAfter.IsZero() {
		after = grade.Date(f.startsAfter)
	}
	if !f.pendingOn.IsZero() {
		pending = grade.Date(f.pendingOn)
	}
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "grade/history_rows"),
		store.Params{"uscc": f.uscc, "status": string(f.status), "run_id": f.runID, "in_effect_on": on, "pending_on": pending, "starts_after": after, "open": f.open})
	if err != nil {
		return nil, fmt.Errorf("read grade history: %w", err)
	}
	var out []Entry
	for rows.Next() {
		var e Entry
		var kind, letter, status, evidence string
		var pub, from, until, sup, pubFrom, objected, licEnd *time.Time
		if err := rows.Scan(&e.USCC, &e.Name, &e.CountyCode, &e.RegisterName, &e.RunID, &kind, &e.Year, &e.AsOf,
			&letter, &evidence, &status, &pub, &from, &until, &sup, &e.Note, &e.RecordedAt,
			&pubFrom, &objected, &e.LicenceStatus, &licEnd); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read grade history: %w", err)
		}
		e.RunKind, e.Grade, e.Status = RunKind(kind), grade.Grade(letter), Status(status)
		if err := json.Unmarshal([]byte(evidence), &e.Clauses); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read grade history: %s run %s: evidence: %w", e.USCC, e.RunID, err)
		}
		e.PublicityEndsOn, e.ValidFrom, e.ValidUntil, e.SupersededOn = deref(pub), deref(from), deref(until), deref(sup)
		e.PublicizedFrom, e.ObjectedOn, e.LicenceEndedOn = deref(pubFrom), deref(objected), deref(licEnd)
		// A row filled from the register (migration 0200) may carry a
		// retired county code.
		e.CountyCode = transform.CurrentCountyCode(e.CountyCode)
		out = append(out, e)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("read grade history: %w", err)
	}
	return out, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// History returns every grade an institution ever had, oldest first.
func History(ctx context.Context, s store.Store, uscc string) ([]Entry, error) {
	return readHistory(ctx, s, filter{uscc: uscc})
}

// GradesOn returns the grade in effect on day for every institution that
// had one, in USCC order; StatusOn(day) tells whether it had expired.
func GradesOn(ctx context.Context, s store.Store, day time.Time) ([]Entry, error) {
	es, err := readHistory(ctx, s, filter{inEffectOn: day})
	if err != nil {
		return nil, err
	}
	return latestPerInstitution(es), nil
}

// latestPerInstitution keeps, of each institution's entries in (uscc,
// recorded_at) order, the one in force from the latest day, the last
// recorded among those from the same day. Two grades in effect on one day
// only happen when a run stopped between recording a new grade and
// retiring the old one; the newer grade is the one that was meant. (A
// night replayed after a later one records an earlier grade later: the
// order of days decides, not the order of recording.)
func latestPerInstitution(es []Entry) []Entry {
	var out []Entry
	for _, e := range es {
		if n := len(out); n > 0 && out[n-1].USCC == e.USCC {
			if !e.ValidFrom.Before(out[n-1].ValidFrom) {
				out[n-1] = e
			}
			continue
		}
		out = append(out, e)
	}
	return out
}

// CurrentOn returns the grade of one institution in effect on day, and
// false when it had none.
func CurrentOn(ctx context.Context, s store.Store, uscc string, day time.Time) (Entry, bool, error) {
	es, err := readHistory(ctx, s, filter{uscc: uscc, inEffectOn: day})
	if err != nil || len(es) == 0 {
		return Entry{}, false, err
	}
	return latestPerInstitution(es)[0], true, nil
}

// historyColumns are the grade_history columns writeEntries fills.
var historyColumns = []string{"uscc", "run_id", "grade", "clauses", "evidence", "status",
	"publicity_ends_on", "valid_from", "valid_until", "superseded_on", "note", "recorded_at", "version",
	"publicized_from", "objected_on", "county_code", "name"}

// writeEntries stores entries as new rows or as new versions of their
// rows: grade_history keeps the highest version per (uscc, run_id).
//
// Each row keeps the entry's name and county: for a new grade, the
// register's when it was graded; for a new version of a recorded one,
// those stored with it (readHistory reads them back), so a change of
// status never moves a grade to the county or name the register has now.
func writeEntries(ctx context.Context, s store.Store, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	v, err := store.Version(ctx, s)
	if err != nil {
		return fmt.Errorf("write grade history: %w", err)
	}
	rows := func(yield func([]any, error) bool) {
		for _, e := range entries {
			ev, err := json.Marshal(e.Clauses)
			if err != nil {
				yield(nil, err)
				return
			}
			row := []any{e.USCC, e.RunID, string(e.Grade), e.ClauseIDs(), string(ev), string(e.Status),
				nullDate(e.PublicityEndsOn), nullDate(e.ValidFrom), nullDate(e.ValidUntil), nullDate(e.SupersededOn),
				e.Note, e.RecordedAt.UTC(), v, nullDate(e.PublicizedFrom), nullDate(e.ObjectedOn),
				transform.CurrentCountyCode(e.CountyCode), e.Name}
			if !yield(row, nil) {
				return
			}
		}
	}
	if _, err := s.Insert(ctx, "grade_history", historyColumns, rows); err != nil {
		return fmt.Errorf("write grade history: %w", err)
	}
	return nil
}

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// Evaluation is a recorded annual evaluation and its publicity.
type Evaluation struct {
	Year                          int
	AsOf                          time.Time
	PublicizedFrom, PublicityEnds time.Time
}

// Evaluations returns the recorded annual evaluations, the first
// publicized first.
func Evaluations(ctx context.Context, s store.Store) ([]Evaluation, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "grade/evaluations"), nil)
	if err != nil {
		return nil, fmt.Errorf("list evaluations: %w", err)
	}
	var out []Evaluation
	for rows.Next() {
		var e Evaluation
		var from, ends *time.Time
		if err := rows.Scan(&e.Year, &e.AsOf, &from, &ends); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list evaluations: %w", err)
		}
		e.PublicizedFrom, e.PublicityEnds = deref(from), deref(ends)
		out = append(out, e)
	}
	return out, closeRows(rows)
}

// WhyNothingOn explains why no institution has a grade in force or
// publicized on day: no evaluation yet, or none publicized by then, with
// the evaluation to ask about instead. It is "" when an evaluation was
// publicized on or before day (the emptiness has another cause, such as a
// unit without institutions).
func WhyNothingOn(ctx context.Context, s store.Store, day time.Time) (string, error) {
	evs, err := Evaluations(ctx, s)
	if err != nil {
		return "", err
	}
	if len(evs) == 0 {
		return "no evaluation is recorded yet; run creditsync evaluate --year Y --as-of DATE --publicize-from DATE", nil
	}
	first := evs[0]
	if day.Before(first.PublicizedFrom) {
		return fmt.Sprintf("no evaluation was publicized on or before %s; the first, of %d (as of %s), was publicized from %s to %s: ask for a date from %s on",
			transform.FormatDate(day), first.Year, transform.FormatDate(first.AsOf), transform.FormatDate(first.PublicizedFrom), transform.FormatDate(first.PublicityEnds), transform.FormatDate(first.PublicizedFrom)), nil
	}
	return "", nil
}

// closeRows closes rows, reporting the error that ended the iteration
// first.
func closeRows(rows store.Rows) error {
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}
