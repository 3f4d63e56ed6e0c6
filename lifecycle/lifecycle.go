package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Lifecycle errors; each message says what to do instead.
var (
	ErrAlreadyEvaluated = errors.New("year already evaluated")
	// ErrEvaluation: an evaluation whose dates or moment would rewrite
	// what was shown before it, or show two grades publicized at once
	// (docs/rules.md §4.1).
	ErrEvaluation     = errors.New("evaluation refused")
	ErrNoPublicity    = errors.New("no grade of this institution is being publicized")
	ErrNotUnderReview = errors.New("no grade of this institution is under review")
	// ErrReviewBeforeObjection: a review is decided on or after the day
	// the objection it answers was filed.
	ErrReviewBeforeObjection = errors.New("a review is decided on or after the day of its objection")
)

// Evaluate records the annual evaluation for year: every institution
// graded at asOf gets its computed (provisional) grade, publicized from
// publicizeFrom for the rules' publicity days; the grades appear together
// when the run finishes. Without an objection Confirm makes them confirmed
// once publicity has ended.
func Evaluate(ctx context.Context, s store.Store, r *grade.Rules, year int, asOf, publicizeFrom time.Time) (Run, []Entry, error) {
	if year < 2000 || year > 2100 {
		return Run{}, nil, fmt.Errorf("evaluate: year %d is not plausible", year)
	}
	asOf, publicizeFrom = grade.Date(asOf), grade.Date(publicizeFrom)
	if asOf.Year() != year {
		return Run{}, nil, fmt.Errorf("evaluate %d: %w: the as-of date %s is in %d; the evaluation of a year grades the institutions at a date of that year (the notice's 附件2 of %d is sent by 31 July %d): give --as-of in %d, or --year %d",
			year, ErrEvaluation, transform.FormatDate(asOf), asOf.Year(), year, year, year, asOf.Year())
	}
	if publicizeFrom.Before(asOf) {
		return Run{}, nil, fmt.Errorf("evaluate %d: %w: publicity from %s would start before the as-of date %s the grades are computed at, and confirmation would put them in force before that date; give --publicize-from on or after %s",
			year, ErrEvaluation, transform.FormatDate(publicizeFrom), transform.FormatDate(asOf), transform.FormatDate(asOf))
	}
	if done, err := evaluatedRuns(ctx, s, year); err != nil {
		return Run{}, nil, err
	} else if len(done) > 0 {
		return Run{}, nil, fmt.Errorf("evaluate %d: %w in run %s; objections and their reviews change single grades, regrade lowers them", year, ErrAlreadyEvaluated, done[0])
	}
	if err := checkEvaluationOrder(ctx, s, year, asOf, publicizeFrom); err != nil {
		return Run{}, nil, err
	}
	res, err := grade.Compute(ctx, s, r, asOf)
	if err != nil {
		return Run{}, nil, fmt.Errorf("evaluate %d: %w", year, err)
	}
	ends := grade.Date(publicizeFrom).AddDate(0, 0, r.Lifecycle.PublicityDays-1)
	entries := make([]Entry, len(res))
	for i, g := range res {
		entries[i] = Entry{USCC: g.USCC, Name: g.Name, CountyCode: g.CountyCode, Grade: g.Grade, Clauses: g.Clauses,
			Status: StatusPublicized, PublicizedFrom: grade.Date(publicizeFrom), PublicityEndsOn: ends}
	}
	run := newRun(RunEvaluate, year, asOf, r, fmt.Sprintf("publicized %s to %s", transform.FormatDate(grade.Date(publicizeFrom)), transform.FormatDate(ends)))
	if err := commitRun(ctx, s, &run, entries); err != nil {
		return Run{}, nil, fmt.Errorf("evaluate %d: %w", year, err)
	}
	return run, entries, nil
}

// checkEvaluationOrder refuses an evaluation that does not come after
// every one recorded: one as of an earlier date, or publicized before the
// last publicity ended, would put grades in force in the past — what the
// bureau showed and decided on those days would change afterwards — and
// one recorded while grades of another are still publicized or under
// review would show an institution two publicized grades at once
// (docs/rules.md §4.1, §4.7).
func checkEvaluationOrder(ctx context.Context, s store.Store, year int, asOf, publicizeFrom time.Time) error {
	evs, err := Evaluations(ctx, s)
	if err != nil {
		return fmt.Errorf("evaluate %d: %w", year, err)
	}
	for _, e := range evs {
		if !e.AsOf.Before(asOf) {
			return fmt.Errorf("evaluate %d: %w: the evaluation of %d, as of %s, is recorded already; evaluations are recorded in the order of their dates, and one as of %s would put grades in force after the fact and change what was shown since: give an as-of date after %s",
				year, ErrEvaluation, e.Year, transform.FormatDate(e.AsOf), transform.FormatDate(asOf), transform.FormatDate(e.AsOf))
		}
		if !e.PublicityEnds.IsZero() && !e.PublicityEnds.Before(publicizeFrom) {
			return fmt.Errorf("evaluate %d: %w: the publicity of the %d evaluation runs until %s, and an institution is shown one publicized grade at a time: give --publicize-from after %s",
				year, ErrEvaluation, e.Year, transform.FormatDate(e.PublicityEnds), transform.FormatDate(e.PublicityEnds))
		}
	}
	for _, st := range []Status{StatusPublicized, StatusUnderReview} {
		rows, err := readHistory(ctx, s, filter{status: st})
		if err != nil {
			return fmt.Errorf("evaluate %d: %w", year, err)
		}
		if len(rows) == 0 {
			continue
		}
		e := rows[0]
		what, todo := "still publicized or awaiting confirmation", "run creditsync confirm"
		if st == StatusUnderReview {
			what, todo = "under review (异议复核中)", "record the reviews with creditsync objection resolve"
		}
		n := fmt.Sprintf("%d grades of earlier evaluations are", len(rows))
		if len(rows) == 1 {
			n = "1 grade of an earlier evaluation is"
		}
		return fmt.Errorf("evaluate %d: %w: %s %s (the first: %s, %s of run %s); an institution is shown one publicized grade at a time: %s first",
			year, ErrEvaluation, n, what, e.USCC, e.Grade, e.RunID, todo)
	}
	return nil
}

func evaluatedRuns(ctx context.Context, s store.Store, year int) ([]string, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "grade/evaluated_years"), store.Params{"year": year})
	if err != nil {
		return nil, fmt.Errorf("look up evaluations of %d: %w", year, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		var asOf time.Time
		if err := rows.Scan(&id, &asOf); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, closeRows(rows)
}

// Confirm confirms every publicized grade whose publicity ended before
// day: it takes effect the day after publicity ended (the confirmation
// day), for one year, and the grade it replaces is superseded. Grades
// under review wait for their review.
//
// Confirmation takes the worse of the publicized grade and the grade the
// rules give on the confirmation day (docs/rules.md §4.3): a record that
// appeared during publicity is caught at once. Such a grade is recorded
// by a regrade run in force from the confirmation day, and the publicized
// grade is kept as superseded. Confirm returns every grade that took
// effect; running it again changes nothing.
//
// A grade whose institution's licence was cancelled (注销) on or before
// the confirmation day is not confirmed: the cancellation ended it that
// day (docs/rules.md §4.7), and no grade may come into force after the
// licence ended. It is kept as superseded on the cancellation day, with
// a note saying so. A grade already recorded in force from a day on or
// after the cancellation — the register told of it only later — is
// mended the same way when Confirm next runs (the nightly run does).
func Confirm(ctx context.Context, s store.Store, r *grade.Rules, day time.Time) ([]Entry, error) {
	if r == nil {
		return nil, errors.New("confirm: no rules to grade the confirmation day with")
	}
	day = grade.Date(day)
	pending, err := readHistory(ctx, s, filter{status: StatusPublicized})
	if err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	open, err := readHistory(ctx, s, filter{open: true})
	if err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	rulesOn := map[time.Time]map[string]grade.Result{} // confirmation day → USCC → the rules' grade
	var confirmed, publicized []Entry
	lowered := map[time.Time][]Entry{}
	var days []time.Time
	for _, e := range pending {
		if e.Status != StatusPublicized || !e.PublicityEndsOn.Before(day) {
			continue
		}
		from := e.PublicityEndsOn.AddDate(0, 0, 1)
		if e.LicenceEndedBy(from) {
			publicized = append(publicized, neverInForce(e))
			continue
		}
		now, ok := rulesOn[from]
		if !ok {
			res, err := grade.Compute(ctx, s, r, from)
			if err != nil {
				return nil, fmt.Errorf("confirm: grade at %s: %w", transform.FormatDate(from), err)
			}
			now = make(map[string]grade.Result, len(res))
			for _, g := range res {
				now[g.USCC] = g
			}
			rulesOn[from] = now
			days = append(days, from)
		}
		if g, ok := now[e.USCC]; ok && grade.Worse(g.Grade, e.Grade) {
			note := fmt.Sprintf("confirmed lower than publicized: %s publicized until %s; the rules give %s on %s", e.Grade, transform.FormatDate(e.PublicityEndsOn), g.Grade, transform.FormatDate(from))
			low, sup := lowerFrom(e, g, g.Grade, from, note)
			lowered[from] = append(lowered[from], low)
			publicized = append(publicized, sup)
			continue
		}
		e.Status = StatusConfirmed
		e.ValidFrom = from
		e.ValidUntil = validUntil(from)
		confirmed = append(confirmed, e)
	}
	// Fresh slices throughout: appending to confirmed could write into
	// its spare capacity and change what another slice holds.
	added := slices.Clone(confirmed)
	for _, d := range days {
		if len(lowered[d]) == 0 {
			continue
		}
		run := newRun(RunRegrade, 0, d, r, fmt.Sprintf("confirmation on %s: %d grades lower than publicized", transform.FormatDate(d), len(lowered[d])))
		if err := commitRun(ctx, s, &run, lowered[d]); err != nil {
			return nil, fmt.Errorf("confirm: %w", err)
		}
		added = append(added, lowered[d]...)
	}
	// A grade confirmed (or lowered, reviewed, raised) before the register
	// told of a cancellation dated on or before its first day — the
	// cancellation imported after the confirmation — never was in force
	// either: it is mended as if the cancellation had been known. One
	// cancelled after its first day stays as recorded: the reads end it on
	// the cancellation day (Entry.InEffectOn, StatusLicenceEnded).
	var stillOpen, mended []Entry
	for _, e := range open {
		if e.LicenceEndedBy(e.ValidFrom) {
			mended = append(mended, neverInForce(e))
		} else {
			stillOpen = append(stillOpen, e)
		}
	}
	writes := slices.Concat(confirmed, publicized, mended, retired(stillOpen, added))
	if err := writeEntries(ctx, s, writes); err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	return added, nil
}

// lowerFrom is the grade to, with the rules' result g on day from, that
// comes into force on from in place of e, a grade decided but not in force
// yet or from that same day, because the rules give worse on from
// (docs/rules.md §4.3): confirmed for a year, with the clauses and
// evidence that caused it; e is kept superseded on from. Both carry note.
// Confirm lowers a publicized grade so, ResolveObjection a reviewed one;
// the caller records the lowered grade by a regrade run.
func lowerFrom(e Entry, g grade.Result, to grade.Grade, from time.Time, note string) (lowered, superseded Entry) {
	lowered = Entry{USCC: g.USCC, Name: g.Name, CountyCode: g.CountyCode, Grade: to, Clauses: g.Clauses,
		Status: StatusConfirmed, ValidFrom: from, ValidUntil: validUntil(from), Note: note}
	e.Status, e.SupersededOn = StatusSuperseded, from
	e.Note = addNote(e.Note, note)
	return lowered, e
}

// neverInForce ends e, a grade whose institution's licence was cancelled
// on or before the day it was to take effect (docs/rules.md §4.3): the
// cancellation ended it that day, so it is superseded then, never in
// force, with the reason in its note — "not confirmed" for a publicized
// grade. A grade recorded in force before the cancellation was known
// keeps the day it was recorded from in the note.
func neverInForce(e Entry) Entry {
	ended := transform.FormatDate(e.LicenceEndedOn)
	note := "not in force"
	if !e.PublicityEndsOn.IsZero() {
		note = "not confirmed"
	}
	note += fmt.Sprintf(": the licence was cancelled on %s, which ended the grade that day", ended)
	if !e.ValidFrom.IsZero() {
		note += fmt.Sprintf(" (recorded in force from %s before the register showed the cancellation)", transform.FormatDate(e.ValidFrom))
	}
	e.Status, e.SupersededOn = StatusSuperseded, e.LicenceEndedOn
	e.ValidFrom, e.ValidUntil = time.Time{}, time.Time{}
	e.Note = addNote(e.Note, note)
	return e
}

// retired returns the grades among old that the new grades replace: for
// each new grade, the institution's other grades in effect with no end
// yet, superseded on the day the new one takes effect.
func retired(old, added []Entry) []Entry {
	from := map[string]Entry{}
	for _, e := range added {
		from[e.USCC] = e
	}
	var out []Entry
	for _, e := range old {
		n, ok := from[e.USCC]
		// A grade superseded already, but later than the new one starts (a
		// night replayed after a later one), is superseded from then.
		if !ok || e.RunID == n.RunID || e.ValidFrom.IsZero() || !e.SupersededOn.IsZero() && !e.SupersededOn.After(n.ValidFrom) || e.ValidFrom.After(n.ValidFrom) {
			continue
		}
		e.Status, e.SupersededOn = StatusSuperseded, n.ValidFrom
		out = append(out, e)
	}
	return out
}

// Expire marks confirmed grades whose validity ended before day as
// expired and returns them. Views and GradesOn show expiry by date
// anyway; this keeps the stored status in step for plain queries.
func Expire(ctx context.Context, s store.Store, day time.Time) ([]Entry, error) {
	day = grade.Date(day)
	rows, err := readHistory(ctx, s, filter{status: StatusConfirmed})
	if err != nil {
		return nil, fmt.Errorf("expire: %w", err)
	}
	var out []Entry
	for _, e := range rows {
		if e.SupersededOn.IsZero() && !e.ValidUntil.IsZero() && e.ValidUntil.Before(day) {
			e.Status = StatusExpired
			out = append(out, e)
		}
	}
	if err := writeEntries(ctx, s, out); err != nil {
		return nil, fmt.Errorf("expire: %w", err)
	}
	return out, nil
}

// Objection is an objection recorded by FileObjection: the grade now under
// review and, when the objection was received during publicity but
// recorded after the routine confirmation had put the grade in force,
// the day that confirmation took effect (undone) and the grade in force
// again until the review (nil when there was none).
type Objection struct {
	Entry
	UndoneFrom time.Time
	Reinstated *Entry
}

// FileObjection records an institution's objection (异议) to its grade
// filed on day, during publicity: the grade is under review from day
// until ResolveObjection.
//
// An objection received in time is recorded as of its day also when it is
// typed in after the routine confirmation ran (the grade was confirmed the
// day after publicity ended, and nothing replaced it since): the
// confirmation is undone, exactly as if the objection had been recorded
// in time — the grade goes back under review from day, and the grade in
// force before it is in force again. A grade confirmed lower than
// publicized, replaced since, or one whose institution was nominated as
// exemplary under it is not reopened: the refusal says what happened.
func FileObjection(ctx context.Context, s store.Store, uscc, note string, day time.Time) (Objection, error) {
	day = grade.Date(day)
	rows, err := readHistory(ctx, s, filter{uscc: uscc})
	if err != nil {
		return Objection{}, fmt.Errorf("file objection: %w", err)
	}
	var ended, starts *Entry
	for i := len(rows) - 1; i >= 0; i-- {
		e := rows[i]
		if e.PublicityEndsOn.IsZero() {
			continue // not an evaluated grade: never publicized
		}
		switch {
		case e.PublicizedFrom.After(day):
			starts = &rows[i]
			continue
		case e.PublicityEndsOn.Before(day):
			if ended == nil {
				ended = &rows[i]
			}
			continue
		}
		// The grade publicized on day (one at a time, docs/rules.md §4.7).
		text := fmt.Sprintf("objection filed %s: %s", transform.FormatDate(day), note)
		switch {
		case !e.ObjectedOn.IsZero():
			return Objection{}, fmt.Errorf("%s: %w: an objection to grade %s of the %d evaluation was filed on %s already (see creditsync history %s)",
				uscc, ErrObjected, e.Grade, e.Year, transform.FormatDate(e.ObjectedOn), uscc)
		case e.Status == StatusPublicized:
			e.Status, e.ObjectedOn = StatusUnderReview, day
			e.Note = addNote(e.Note, text)
			if err := writeEntries(ctx, s, []Entry{e}); err != nil {
				return Objection{}, fmt.Errorf("file objection: %w", err)
			}
			return Objection{Entry: e}, nil
		}
		return reopen(ctx, s, rows, e, text, day)
	}
	publicity := func(e *Entry) string {
		return fmt.Sprintf("grade %s of the %d evaluation was publicized from %s to %s", e.Grade, e.Year, transform.FormatDate(e.PublicizedFrom), transform.FormatDate(e.PublicityEndsOn))
	}
	switch {
	case ended != nil:
		return Objection{}, fmt.Errorf("%s: %w on %s: its publicity ended on %s (%s); objections are filed during publicity (see creditsync history %s)",
			uscc, ErrNoPublicity, transform.FormatDate(day), transform.FormatDate(ended.PublicityEndsOn), publicity(ended), uscc)
	case starts != nil:
		return Objection{}, fmt.Errorf("%s: %w on %s: its publicity starts on %s (%s); objections are filed during publicity",
			uscc, ErrNoPublicity, transform.FormatDate(day), transform.FormatDate(starts.PublicizedFrom), publicity(starts))
	}
	if err := inRegister(ctx, s, uscc, day); err != nil {
		return Objection{}, fmt.Errorf("file objection: %w", err)
	}
	return Objection{}, fmt.Errorf("%s: %w on %s: no evaluation of it is recorded; objections are filed during publicity (see creditsync history %s)", uscc, ErrNoPublicity, transform.FormatDate(day), uscc)
}

// inRegister returns grade.ErrUnknown, naming uscc, when the register has
// no such institution: a command about it says so rather than that it has
// no grade (as CheckEligibility does).
func inRegister(ctx context.Context, s store.Store, uscc string, day time.Time) error {
	if _, err := grade.NotGradedReason(ctx, s, day, uscc); errors.Is(err, grade.ErrUnknown) {
		return fmt.Errorf("%w; check the code, or import the register first (creditsync import institutions FILE)", err)
	} else if err != nil {
		return err
	}
	return nil
}

// pendingOn returns uscc's grade publicized, awaiting confirmation or
// under objection on day, and how it shows then; false when none.
func pendingOn(ctx context.Context, s store.Store, uscc string, day time.Time) (Entry, Status, bool, error) {
	es, err := readHistory(ctx, s, filter{uscc: uscc, pendingOn: day})
	if err != nil || len(es) == 0 {
		return Entry{}, "", false, err
	}
	e := latestPerInstitution(es)[0]
	p := e.PendingOn(day)
	return e, p, p != "", nil
}

// pendingText says how a grade not in force yet stands on day, for a
// refusal: under objection (异议复核中) since the day it was filed,
// publicized (公示中) or awaiting confirmation (公示期满，待确认) with its
// publicity.
func pendingText(e Entry, p Status) string {
	switch p {
	case StatusUnderReview:
		return fmt.Sprintf("its grade %s of the %d evaluation is under objection (异议复核中) since %s: the review (creditsync objection resolve) decides it", e.Grade, e.Year, transform.FormatDate(e.ObjectedOn))
	case StatusAwaitingConfirmation:
		return fmt.Sprintf("its grade %s of the %d evaluation was publicized until %s and awaits confirmation (公示期满，待确认; creditsync confirm)", e.Grade, e.Year, transform.FormatDate(e.PublicityEndsOn))
	}
	return fmt.Sprintf("its grade %s of the %d evaluation is publicized (公示中) until %s, in force once confirmed", e.Grade, e.Year, transform.FormatDate(e.PublicityEndsOn))
}

// ErrObjected: the grade publicized on the day has an objection already.
var ErrObjected = errors.New("objection filed already")

// ErrConfirmedSince: an objection dated during publicity, recorded after
// the grade was confirmed, that cannot reopen it.
var ErrConfirmedSince = errors.New("the grade publicized that day was confirmed since")

// reopen records an objection filed on day, during the publicity of e,
// after the routine confirmation put e in force the day after its
// publicity (FileObjection): e goes back under review from day and the
// grade it replaced is in force again.
func reopen(ctx context.Context, s store.Store, rows []Entry, e Entry, text string, day time.Time) (Objection, error) {
	confirmedOn := e.PublicityEndsOn.AddDate(0, 0, 1)
	refuse := func(what string) (Objection, error) {
		return Objection{}, fmt.Errorf("%s: %w: grade %s of the %d evaluation was publicized on %s (until %s) and %s; an objection recorded now cannot reopen it (see creditsync history %s)",
			e.USCC, ErrConfirmedSince, e.Grade, e.Year, transform.FormatDate(day), transform.FormatDate(e.PublicityEndsOn), what, e.USCC)
	}
	switch {
	case e.ValidFrom.IsZero():
		// Confirmed lower (a regrade run recorded the grade) or never
		// confirmed (the licence ended): the note says which.
		note := e.Note
		if i := strings.LastIndex(note, "\n"); i >= 0 {
			note = note[i+1:]
		}
		return refuse(fmt.Sprintf("was superseded on %s (%s)", transform.FormatDate(e.SupersededOn), note))
	case !e.ValidFrom.Equal(confirmedOn):
		return refuse(fmt.Sprintf("has been in force since %s", transform.FormatDate(e.ValidFrom)))
	case !e.SupersededOn.IsZero():
		return refuse(fmt.Sprintf("was confirmed on %s and replaced on %s by a later grade, which stands: correct the records the objection shows wrong, and an upgrade application (creditsync upgrade apply) re-evaluates the institution",
			transform.FormatDate(confirmedOn), transform.FormatDate(e.SupersededOn)))
	}
	noms, err := Nominations(ctx, s, e.Year)
	if err != nil {
		return Objection{}, fmt.Errorf("file objection: %w", err)
	}
	for _, n := range noms {
		if n.USCC == e.USCC && !n.NominatedOn.Before(confirmedOn) {
			return refuse(fmt.Sprintf("was confirmed on %s, and the institution was nominated as exemplary under it on %s", transform.FormatDate(confirmedOn), transform.FormatDate(n.NominatedOn)))
		}
	}
	out := Objection{UndoneFrom: confirmedOn}
	var prev *Entry
	for i, p := range rows {
		if p.RunID != e.RunID && !p.ValidFrom.IsZero() && p.ValidFrom.Before(confirmedOn) && p.SupersededOn.Equal(confirmedOn) &&
			(prev == nil || !p.ValidFrom.Before(prev.ValidFrom)) {
			prev = &rows[i]
		}
	}
	var writes []Entry
	if prev != nil {
		p := *prev
		p.Status, p.SupersededOn = StatusConfirmed, time.Time{}
		if p.ValidUntil.Before(confirmedOn) {
			p.Status = StatusExpired
		}
		p.Note = addNote(p.Note, fmt.Sprintf("in force again from %s: the confirmation of %s that replaced it was undone by an objection filed %s", transform.FormatDate(confirmedOn), e.RunID, transform.FormatDate(day)))
		out.Reinstated = &p
		writes = append(writes, p)
	}
	e.Status, e.ObjectedOn = StatusUnderReview, day
	e.ValidFrom, e.ValidUntil = time.Time{}, time.Time{}
	e.Note = addNote(e.Note, text+fmt.Sprintf(" (received during publicity, recorded after the confirmation from %s, which is undone)", transform.FormatDate(confirmedOn)))
	out.Entry = e
	if err := writeEntries(ctx, s, append(writes, e)); err != nil {
		return Objection{}, fmt.Errorf("file objection: %w", err)
	}
	return out, nil
}

// Review is a review recorded by ResolveObjection: the reviewed grade
// and, when the rules gave worse on the review day on evidence the review
// did not weigh, the grade it was lowered to at once.
type Review struct {
	Entry
	Lowered *Entry
}

// ResolveObjection records the re-evaluation (复评) of a grade under
// review. The institution is graded again at the evaluation's as-of date
// with the data as it is now (corrected records count); the result is the
// reviewer's grade (reviewed) when one is given, else the rules' grade. It takes
// effect on day, replaces the grade under review and is kept with the
// reviewer's note.
//
// The review day is a confirmation day like Confirm's (docs/rules.md
// §4.3): a reviewed grade whose institution's licence was cancelled on or
// before it is not put in force (neverInForce), and one the rules give
// worse on that day, on evidence the review did not weigh — a licence
// revoked after the as-of date, clause D3 — is lowered at once from that
// day by a regrade run (lowerFrom), the reviewed grade kept superseded.
func ResolveObjection(ctx context.Context, s store.Store, r *grade.Rules, uscc string, reviewed grade.Grade, note string, day time.Time) (Review, error) {
	day = grade.Date(day)
	if reviewed != "" && grade.Rank(reviewed) < 0 {
		return Review{}, fmt.Errorf("resolve objection: grade %q is not A, B, C or D", reviewed)
	}
	rows, err := readHistory(ctx, s, filter{uscc: uscc, status: StatusUnderReview})
	if err != nil {
		return Review{}, fmt.Errorf("resolve objection: %w", err)
	}
	if len(rows) == 0 {
		if err := inRegister(ctx, s, uscc, day); err != nil {
			return Review{}, fmt.Errorf("resolve objection: %w", err)
		}
		return Review{}, fmt.Errorf("%s: %w; file one first with creditsync objection file", uscc, ErrNotUnderReview)
	}
	old := rows[len(rows)-1]
	if !old.ObjectedOn.IsZero() && day.Before(old.ObjectedOn) {
		// A review decided before the objection it answers would put the
		// grade in force while it was still under objection, or before
		// its publicity began (docs/rules.md §4.2, §4.7).
		return Review{}, fmt.Errorf("%s: %w: the review's day %s is before the objection was filed (%s)", uscc, ErrReviewBeforeObjection,
			transform.FormatDate(day), transform.FormatDate(old.ObjectedOn))
	}
	res, err := grade.Explain(ctx, s, r, old.AsOf, uscc)
	if err != nil {
		return Review{}, fmt.Errorf("resolve objection: re-evaluate at %s: %w", transform.FormatDate(old.AsOf), err)
	}
	text := fmt.Sprintf("review of %s: %s", old.RunID, note)
	if reviewed == "" {
		reviewed = res.Grade
	} else if reviewed != res.Grade {
		text += fmt.Sprintf(" (grade set by the reviewer; the rules give %s)", res.Grade)
	}
	entry := Entry{USCC: uscc, Name: res.Name, CountyCode: res.CountyCode, Grade: reviewed, Clauses: res.Clauses,
		Status: StatusConfirmed, ValidFrom: day, ValidUntil: validUntil(day), Note: text, LicenceEndedOn: old.LicenceEndedOn}
	var lowered []Entry
	if entry.LicenceEndedBy(day) {
		entry.ValidFrom, entry.ValidUntil = time.Time{}, time.Time{} // never in force, not recorded in force
		entry = neverInForce(entry)
	} else if now, err := grade.Explain(ctx, s, r, day, uscc); err != nil {
		return Review{}, fmt.Errorf("resolve objection: grade at the review day %s: %w", transform.FormatDate(day), err)
	} else if to := grade.NewEvidenceGrade(entry.Clauses, now); grade.Worse(to, reviewed) {
		low, sup := lowerFrom(entry, now, to, day, fmt.Sprintf("reviewed as %s; the rules give %s on %s, the review day, on evidence the review did not weigh", reviewed, to, transform.FormatDate(day)))
		entry, lowered = sup, []Entry{low}
	}
	run := newRun(RunReview, old.Year, old.AsOf, r, note)
	added := []Entry{entry}
	if err := commitRun(ctx, s, &run, added); err != nil {
		return Review{}, fmt.Errorf("resolve objection: %w", err)
	}
	out := Review{Entry: added[0]}
	if len(lowered) > 0 {
		low := newRun(RunRegrade, 0, day, r, fmt.Sprintf("review on %s: %s lower than reviewed", transform.FormatDate(day), uscc))
		if err := commitRun(ctx, s, &low, lowered); err != nil {
			return Review{}, fmt.Errorf("resolve objection: %w", err)
		}
		added = lowered
		out.Lowered = &lowered[0]
	}
	open, err := readHistory(ctx, s, filter{uscc: uscc, open: true})
	if err != nil {
		return Review{}, fmt.Errorf("resolve objection: %w", err)
	}
	old.Status, old.SupersededOn = StatusSuperseded, day
	old.Note = addNote(old.Note, fmt.Sprintf("resolved %s by %s: %s → %s", transform.FormatDate(day), run.ID, old.Grade, reviewed))
	if err := writeEntries(ctx, s, append(retired(open, added), old)); err != nil {
		return Review{}, fmt.Errorf("resolve objection: %w", err)
	}
	return out, nil
}

func addNote(notes, note string) string {
	if notes == "" {
		return note
	}
	return strings.TrimSpace(notes) + "\n" + note
}
