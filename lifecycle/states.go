package lifecycle

import (
	"context"
	"sort"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/store"
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

// StatusAwaitingConfirmation is how a publicized grade shows on a day
// after its publicity ended while it is not confirmed yet (公示期满，待确认):
// the confirmation did not run, or has not run yet, for that day. It is
// not publicized any more (公示中 is publicity start ≤ d ≤ end,
// docs/rules.md §4.7) and not in force either. It is never stored.
const StatusAwaitingConfirmation Status = "awaiting_confirmation"

// StatusNotYetPublicized is how an evaluated grade shows on a day before
// its publicity starts (待公示): recorded as publicized, but nobody has
// been shown it yet, so nobody could have objected to it. It is never
// stored.
const StatusNotYetPublicized Status = "not_yet_publicized"

// Entry is one recorded grade of one institution: a row of grade_history
// with the run that produced it. Dates are zero when not set.
//
// Name and CountyCode are the institution's name and county when the
// grade was recorded, kept with it: the county is the evaluating unit
// (评价单位), which keeps the grade when the institution later moves, and
// a form for a past day shows what that unit evaluated then
// (docs/rules.md §4.9). RegisterName is the register's name now.
type Entry struct {
	USCC, Name, CountyCode string
	RegisterName           string
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

// Told returns the clauses the grade rests on, those the reports tell
// of the institution. Clauses keeps every clause the rules found when the
// grade was recorded: what the decision weighed, against which a later
// regrade judges evidence new (docs/rules.md §4.4). A grade lowered by
// the rules (RunRegrade) is the worst among the clauses with evidence the
// decision it lowered had not weighed, so a clause worse than it is one
// that decision set aside (a review's A where the rules gave C): weighed,
// kept, and not said beside the grade. Every other grade either is the
// rules' own (the worst of its clauses) or a reviewer's, who decided the
// grade of the records the review weighed, not that they did not happen
// — except an A, which rests on no clause (an A is one with no B, C or D
// situation): a reviewer's A over the rules' clauses tells none.
func (e Entry) Told() []grade.Clause {
	if e.Grade == grade.A {
		return nil
	}
	if e.RunKind != RunRegrade {
		return e.Clauses
	}
	var out []grade.Clause
	for _, c := range e.Clauses {
		if !grade.Worse(c.Grade, e.Grade) {
			out = append(out, c)
		}
	}
	return out
}

// LicenceEndedBy reports whether the institution's licence was cancelled
// on or before day d. Only a cancellation (注销) ends a grade; the query
// that reads the history sets LicenceEndedOn for it alone, so no caller
// can end a grade on a revocation.
func (e Entry) LicenceEndedBy(d time.Time) bool {
	return !e.LicenceEndedOn.IsZero() && !e.LicenceEndedOn.After(d)
}

// PendingOn is the state on day d of a grade not in force on d: publicized
// (公示中) from the start of its publicity to its end, awaiting
// confirmation after that until it is confirmed or superseded, under
// review (异议复核中) from the day an objection was filed until the review.
// It is "" for a grade that was none of these on d.
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
	if d.After(e.PublicityEndsOn) {
		return StatusAwaitingConfirmation
	}
	return StatusPublicized
}

// ClauseIDs returns the IDs of the clauses the grade rests on (Told), in
// report order: what grade_history.clauses stores and the commands show.
func (e Entry) ClauseIDs() []string { return grade.Result{Clauses: e.Told()}.ClauseIDs() }

// InEffectOn reports whether the grade applied on day d (expired or not):
// it had taken effect, was not superseded yet, and the institution's
// licence had not ended.
func (e Entry) InEffectOn(d time.Time) bool {
	return !e.ValidFrom.IsZero() && !e.ValidFrom.After(d) && (e.SupersededOn.IsZero() || e.SupersededOn.After(d)) && !e.LicenceEndedBy(d)
}

// StatusOn is the status as seen on day d: a grade in effect on d shows as
// expired once d is past valid_until, whatever the stored status says; one
// whose licence has ended shows as ended; one publicized or under review
// on d shows as such; one whose publicity starts after d as not yet
// publicized.
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
	if e.Status == StatusPublicized && !e.PublicizedFrom.IsZero() && e.PublicizedFrom.After(d) {
		return StatusNotYetPublicized
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

// State is an institution's grades on one day (docs/rules.md §4.7): at
// most one in force, and at most one publicized or under objection.
type State struct {
	USCC, Name, CountyCode string
	InForce                *Entry // nil when none: not yet evaluated, or the licence ended
	Pending                *Entry // nil when no grade is publicized or under review
	PendingStatus          Status // StatusPublicized, StatusAwaitingConfirmation or StatusUnderReview when Pending is set
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
