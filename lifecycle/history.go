package lifecycle

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Status is the state of a recorded grade, as stored in grade_history's
// status column and printed (docs/rules.md §4). A provisional grade is
// never stored: it is what grade.Compute returns, and Evaluate records it
// as publicized (the rows of an evaluation appear together when its run
// finishes).
type Status string

// The stored statuses.
const (
	StatusPublicized  Status = "publicized"
	StatusUnderReview Status = "under_review"
	StatusConfirmed   Status = "confirmed"
	StatusExpired     Status = "expired"
	StatusSuperseded  Status = "superseded"
)

// StatusLicenceEnded is how a grade shows on a day on or after its
// institution's licence was cancelled: no longer in force. It is never
// stored.
const StatusLicenceEnded Status = "licence_ended"

// RunKind is the kind of run that recorded a grade, as stored in
// grade_runs and printed.
type RunKind string

// Kinds of runs that record grades.
const (
	RunEvaluate RunKind = "evaluate"
	RunRegrade  RunKind = "regrade"
	RunUpgrade  RunKind = "upgrade"
	RunReview   RunKind = "review"
)

// Entry is one recorded grade of one institution: a row of grade_history
// with the run that produced it. Dates are zero when not set.
type Entry struct {
	USCC, Name, CountyCode string
	RunID                  string
	RunKind                RunKind
	Year                   int       // the evaluated year, for evaluate runs
	AsOf                   time.Time // the date the grade was computed at
	Grade                  grade.Grade
	Clauses                []grade.Clause
	Status                 Status // as stored; StatusOn says how it shows on a day
	PublicityEndsOn        time.Time
	ValidFrom, ValidUntil  time.Time
	SupersededOn           time.Time // first day a later grade was in effect
	Note                   string
	RecordedAt             time.Time
	// PublicizedFrom is the first day of publicity of an evaluated grade;
	// ObjectedOn the day an objection was filed against it.
	PublicizedFrom, ObjectedOn time.Time
	// LicenceStatus is the institution's licence status in the register
	// (valid, cancelled, revoked) and LicenceEndedOn the day a cancelled
	// licence ended: the grade in force ends that day. A revoked licence
	// ends nothing (docs/rules.md §4): revocation is clause D3, and the D
	// it brings stays in force and listed; LicenceEndedOn is zero then.
	LicenceStatus  string
	LicenceEndedOn time.Time
}

// LicenceEndedBy reports whether the institution's licence was cancelled
// on or before day d. Only a cancellation (注销) ends a grade; the query
// that reads the history sets LicenceEndedOn for it alone, so no caller
// can end a grade on a revocation.
func (e Entry) LicenceEndedBy(d time.Time) bool {
	return !e.LicenceEndedOn.IsZero() && !e.LicenceEndedOn.After(d)
}

// PendingOn is the state on day d of a grade not in force on d: publicized
// (公示中) from the start of its publicity until it is confirmed or
// superseded, under review (异议复核中) from the day an objection was filed
// until the review. It is "" for a grade that was neither on d.
func (e Entry) PendingOn(d time.Time) Status {
	if e.PublicityEndsOn.IsZero() || e.InEffectOn(d) || e.LicenceEndedBy(d) {
		return ""
	}
	from := e.PublicizedFrom
	if from.IsZero() {
		from = e.AsOf
	}
	if from.After(d) || (!e.ValidFrom.IsZero() && !e.ValidFrom.After(d)) || (!e.SupersededOn.IsZero() && !e.SupersededOn.After(d)) {
		return ""
	}
	if !e.ObjectedOn.IsZero() && !e.ObjectedOn.After(d) {
		return StatusUnderReview
	}
	return StatusPublicized
}

// ClauseIDs returns the IDs of the clauses that hold, in report order.
func (e Entry) ClauseIDs() []string { return grade.Result{Clauses: e.Clauses}.ClauseIDs() }

// InEffectOn reports whether the grade applied on day d (expired or not):
// it had taken effect, was not superseded yet, and the institution's
// licence had not ended.
func (e Entry) InEffectOn(d time.Time) bool {
	return !e.ValidFrom.IsZero() && !e.ValidFrom.After(d) && (e.SupersededOn.IsZero() || e.SupersededOn.After(d)) && !e.LicenceEndedBy(d)
}

// StatusOn is the status as seen on day d: a grade in effect on d shows as
// expired once d is past valid_until, whatever the stored status says; one
// whose licence has ended shows as ended; one publicized or under review
// on d shows as such.
func (e Entry) StatusOn(d time.Time) Status {
	if e.LicenceEndedBy(d) && !e.ValidFrom.IsZero() && !e.ValidFrom.After(d) && (e.SupersededOn.IsZero() || e.SupersededOn.After(d)) {
		return StatusLicenceEnded
	}
	if p := e.PendingOn(d); p != "" {
		return p
	}
	if e.InEffectOn(d) {
		if !e.ValidUntil.IsZero() && e.ValidUntil.Before(d) {
			return StatusExpired
		}
		return StatusConfirmed
	}
	return e.Status
}

// validUntil is one year of validity from day from: the same month-day a
// year later (29 February → 28 February, as T − 1y is reckoned) less one
// day.
func validUntil(from time.Time) time.Time {
	y, m, d := from.Date()
	if m == time.February && d == 29 {
		d = 28
	}
	return time.Date(y+1, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
}

// filter selects history rows; empty fields select everything.
type filter struct {
	uscc, runID string
	status      Status
	inEffectOn  time.Time
	pendingOn   time.Time // publicized or under review on that day
	open        bool      // in effect with no successor yet
}

func readHistory(ctx context.Context, s store.Store, f filter) ([]Entry, error) {
	var on, pending any
	if !f.inEffectOn.IsZero() {
		on = grade.Date(f.inEffectOn)
	}
	if !f.pendingOn.IsZero() {
		pending = grade.Date(f.pendingOn)
	}
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "grade/history_rows"),
		store.Params{"uscc": f.uscc, "status": string(f.status), "run_id": f.runID, "in_effect_on": on, "pending_on": pending, "open": f.open})
	if err != nil {
		return nil, fmt.Errorf("read grade history: %w", err)
	}
	var out []Entry
	for rows.Next() {
		var e Entry
		var kind, letter, status, evidence string
		var pub, from, until, sup, pubFrom, objected, licEnd *time.Time
		if err := rows.Scan(&e.USCC, &e.Name, &e.CountyCode, &e.RunID, &kind, &e.Year, &e.AsOf,
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
		// A register row may still carry a retired county code.
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

// State is an institution's grades on one day (docs/rules.md §4.7): at
// most one in force, and at most one publicized or under objection.
type State struct {
	USCC, Name, CountyCode string
	InForce                *Entry // nil when none: not yet evaluated, or the licence ended
	Pending                *Entry // nil when no grade is publicized or under review
	PendingStatus          Status // StatusPublicized or StatusUnderReview when Pending is set
}

// Shown is the grade a listing shows for the institution: the one in
// force, else the pending one.
func (st State) Shown() Entry {
	if st.InForce != nil {
		return *st.InForce
	}
	return *st.Pending
}

// StatesOn returns, for every institution with a grade in force on day or
// one publicized or under objection then, both, in USCC order.
func StatesOn(ctx context.Context, s store.Store, day time.Time) ([]State, error) {
	day = grade.Date(day)
	inForce, err := GradesOn(ctx, s, day)
	if err != nil {
		return nil, err
	}
	pending, err := readHistory(ctx, s, filter{pendingOn: day})
	if err != nil {
		return nil, err
	}
	by := map[string]*State{}
	var order []string
	get := func(e Entry) *State {
		st, ok := by[e.USCC]
		if !ok {
			st = &State{USCC: e.USCC, Name: e.Name, CountyCode: e.CountyCode}
			by[e.USCC] = st
			order = append(order, e.USCC)
		}
		return st
	}
	for i := range inForce {
		get(inForce[i]).InForce = &inForce[i]
	}
	for _, e := range latestPerInstitution(pending) {
		if p := e.PendingOn(day); p != "" {
			e := e
			st := get(e)
			st.Pending, st.PendingStatus = &e, p
		}
	}
	sort.Strings(order)
	out := make([]State, len(order))
	for i, u := range order {
		out[i] = *by[u]
	}
	return out, nil
}

// latestPerInstitution keeps the last recorded entry of each institution
// from entries in (uscc, recorded_at) order. Two grades in effect on one
// day only happen when a run stopped between recording a new grade and
// retiring the old one; the newer grade is the one that was meant.
func latestPerInstitution(es []Entry) []Entry {
	var out []Entry
	for _, e := range es {
		if n := len(out); n > 0 && out[n-1].USCC == e.USCC {
			out[n-1] = e
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
	"publicized_from", "objected_on"}

// writeEntries stores entries as new rows or as new versions of their
// rows: grade_history keeps the highest version per (uscc, run_id).
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
				e.Note, e.RecordedAt.UTC(), v, nullDate(e.PublicizedFrom), nullDate(e.ObjectedOn)}
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

// Run is one run that records grades.
type Run struct {
	ID            string
	Kind          RunKind
	Year          int
	AsOf          time.Time
	Started       time.Time
	Finished      time.Time
	RulesChecksum string
	Note          string
}

func newRun(kind RunKind, year int, asOf time.Time, r *grade.Rules, note string) Run {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	now := time.Now().UTC()
	return Run{
		ID:            fmt.Sprintf("%s-%s-%s", kind, now.Format("20060102T150405"), hex.EncodeToString(b)),
		Kind:          kind,
		Year:          year,
		AsOf:          grade.Date(asOf),
		Started:       now,
		RulesChecksum: r.Checksum(),
		Note:          note,
	}
}

// recordRun writes the run row; once Finished is set, the run's grades
// become visible (history_rows ignores rows of unfinished runs).
func recordRun(ctx context.Context, s store.Store, run Run) error {
	var finished any
	if !run.Finished.IsZero() {
		finished = run.Finished
	}
	v, err := store.Version(ctx, s)
	if err != nil {
		return fmt.Errorf("record %s run: %w", run.Kind, err)
	}
	row := []any{run.ID, string(run.Kind), run.Year, run.AsOf, run.Started, finished, run.RulesChecksum, run.Note, v}
	rows := func(yield func([]any, error) bool) { yield(row, nil) }
	_, err = s.Insert(ctx, "grade_runs", []string{"run_id", "kind", "year", "as_of", "started", "finished", "rules_checksum", "note", "version"}, rows)
	if err != nil {
		return fmt.Errorf("record %s run: %w", run.Kind, err)
	}
	return nil
}

// commitRun writes a run's entries between its start and finish rows, so
// that the entries appear together or, if anything fails, not at all.
func commitRun(ctx context.Context, s store.Store, run *Run, entries []Entry) error {
	if err := recordRun(ctx, s, *run); err != nil {
		return err
	}
	for i := range entries {
		entries[i].RunID, entries[i].RunKind, entries[i].Year, entries[i].AsOf = run.ID, run.Kind, run.Year, run.AsOf
		entries[i].RecordedAt = run.Started
	}
	if err := writeEntries(ctx, s, entries); err != nil {
		return err
	}
	run.Finished = time.Now().UTC()
	return recordRun(ctx, s, *run)
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
