package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Change compares an institution's grade in effect with what the rules
// give now.
type Change struct {
	USCC, Name, CountyCode string
	From                   grade.Grade // the grade in effect
	Since                  time.Time   // when it took effect
	To                     grade.Grade // what the rules give; for a downgrade, the grade lowered to
	// Clauses are those that hold now, with evidence; for a downgrade,
	// those its grade rests on (Entry.Told).
	Clauses []grade.Clause
}

// RegradeResult is what a regrade did.
type RegradeResult struct {
	Run        Run
	Downgrades []Change // lowered at once
	Eligible   []Change // the rules give better: may apply for an upgrade
	// Upheld are grades the rules give worse only on evidence the
	// decision in force already weighed: left as decided.
	Upheld    []Change
	Unchanged int
}

// Regrade grades every institution at asOf and compares the result with
// its confirmed grade in force then (expired grades are left to the next
// evaluation; an institution whose licence ended has none). A worse result
// lowers the grade at once — in force from asOf for a year, with the
// clauses and evidence that caused it; a better one changes nothing and is
// reported as eligible to apply for an upgrade (docs/rules.md §4.4–4.5).
//
// The grade in force is a decision (an evaluation confirmed, a review, an
// upgrade, an earlier downgrade). It is lowered only on evidence that the
// decision did not weigh: a clause–record pair not among its stored
// clauses and evidence (grade.NewEvidenceGrade). The grade lowered to is
// the worst among the clauses with such evidence, so a reviewer's grade is
// not undone by the rules it overrode. The run is recorded even when
// nothing changed.
func Regrade(ctx context.Context, s store.Store, r *grade.Rules, asOf time.Time) (RegradeResult, error) {
	t := grade.Date(asOf)
	inEffect, err := readHistory(ctx, s, filter{inEffectOn: t})
	if err != nil {
		return RegradeResult{}, fmt.Errorf("regrade: %w", err)
	}
	current := map[string]Entry{}
	for _, e := range latestPerInstitution(inEffect) {
		if e.StatusOn(t) == StatusConfirmed {
			current[e.USCC] = e
		}
	}
	res, err := grade.Compute(ctx, s, r, t)
	if err != nil {
		return RegradeResult{}, fmt.Errorf("regrade: %w", err)
	}
	var out RegradeResult
	var lowered []Entry
	for _, g := range res {
		cur, ok := current[g.USCC]
		if !ok {
			continue
		}
		ch := Change{USCC: g.USCC, Name: g.Name, CountyCode: g.CountyCode, From: cur.Grade, Since: cur.ValidFrom, To: g.Grade, Clauses: g.Clauses}
		to := grade.NewEvidenceGrade(cur.Clauses, g)
		switch {
		case grade.Worse(to, cur.Grade):
			// Every clause is stored, weighed, so that the next regrade
			// does not find evidence the decision set aside new.
			e := Entry{USCC: g.USCC, Name: g.Name, CountyCode: g.CountyCode, RunKind: RunRegrade, Grade: to, Clauses: g.Clauses,
				Status: StatusConfirmed, ValidFrom: t, ValidUntil: validUntil(t),
				Note: fmt.Sprintf("lowered from %s (in force since %s) by the rules at %s on evidence the decision did not weigh", cur.Grade, transform.FormatDate(cur.ValidFrom), transform.FormatDate(t))}
			ch.To, ch.Clauses = to, e.Told()
			out.Downgrades = append(out.Downgrades, ch)
			lowered = append(lowered, e)
		case grade.Worse(g.Grade, cur.Grade):
			// Worse only on what the decision already weighed.
			out.Upheld = append(out.Upheld, ch)
			out.Unchanged++
		case grade.Worse(cur.Grade, g.Grade):
			out.Eligible = append(out.Eligible, ch)
		default:
			out.Unchanged++
		}
	}
	if err := endBeforeLaterGrades(ctx, s, t, lowered); err != nil {
		return RegradeResult{}, fmt.Errorf("regrade: %w", err)
	}
	out.Run = newRun(RunRegrade, 0, t, r, fmt.Sprintf("%d lowered, %d eligible to apply for an upgrade", len(out.Downgrades), len(out.Eligible)))
	if err := commitRun(ctx, s, &out.Run, lowered); err != nil {
		return RegradeResult{}, fmt.Errorf("regrade: %w", err)
	}
	if err := writeEntries(ctx, s, retired(inEffect, lowered)); err != nil {
		return RegradeResult{}, fmt.Errorf("regrade: %w", err)
	}
	return out, nil
}

// endBeforeLaterGrades ends each of lowered, grades in force from t, where
// the institution has a grade in force from a later day already: a night
// replayed after a later night has run, or an upgrade application recorded
// after it (docs/rules.md §4.8). Replayed exactly, the earlier day's grade
// held until the later one's began; the later decisions stand.
func endBeforeLaterGrades(ctx context.Context, s store.Store, t time.Time, lowered []Entry) error {
	if len(lowered) == 0 {
		return nil
	}
	later, err := readHistory(ctx, s, filter{startsAfter: t})
	if err != nil {
		return err
	}
	next := map[string]time.Time{}
	for _, e := range later {
		if n, ok := next[e.USCC]; !ok || e.ValidFrom.Before(n) {
			next[e.USCC] = e.ValidFrom
		}
	}
	for i, e := range lowered {
		if n, ok := next[e.USCC]; ok {
			lowered[i].SupersededOn, lowered[i].Status = n, StatusSuperseded
			lowered[i].Note += fmt.Sprintf("; recorded after a later grade: in force until %s, when the later grade began", transform.FormatDate(n.AddDate(0, 0, -1)))
		}
	}
	return nil
}

// ErrNoGrade means an institution has no confirmed grade in effect.
var ErrNoGrade = errors.New("no confirmed grade in effect")

// UpgradeResult is the outcome of an upgrade application.
type UpgradeResult struct {
	Run     Run
	Granted bool
	Change  Change
	Entry   Entry  // the new grade when granted
	Refusal string // why, when refused
}

// ApplyUpgrade records an institution's application to raise its grade
// (可申请上调信用等级), re-evaluated at the application date day. When the
// rules give a better grade than the one in effect, the better grade takes
// effect on day for a year; otherwise nothing changes. The application is
// recorded as a run either way.
//
// An upgrade is for an institution that corrected its failings (纠正失信
// 行为、消除不良影响, the notice's 三(四)): the better grade must rest on
// something the decision in force weighed that no longer holds
// (grade.Corrected). A reviewer who set a stricter grade than the rules
// gave weighed the same records the rules read now; with none of them
// gone, the rules' better grade is the one the reviewer overrode, and the
// application is refused — a review is not undone by the rules it
// overrode, as Regrade does not undo it either (docs/rules.md §4.4–4.5).
func ApplyUpgrade(ctx context.Context, s store.Store, r *grade.Rules, uscc string, day time.Time) (UpgradeResult, error) {
	day = grade.Date(day)
	cur, ok, err := CurrentOn(ctx, s, uscc, day)
	if err != nil {
		return UpgradeResult{}, fmt.Errorf("upgrade application: %w", err)
	}
	if !ok {
		if err := inRegister(ctx, s, uscc, day); err != nil {
			return UpgradeResult{}, fmt.Errorf("upgrade application: %w", err)
		}
		if e, p, pending, err := pendingOn(ctx, s, uscc, day); err != nil {
			return UpgradeResult{}, fmt.Errorf("upgrade application: %w", err)
		} else if pending {
			return UpgradeResult{}, fmt.Errorf("upgrade application for %s on %s: %w: %s", uscc, transform.FormatDate(day), ErrNoGrade, pendingText(e, p))
		}
		return UpgradeResult{}, fmt.Errorf("upgrade application for %s on %s: %w; an institution without a grade is graded by the annual evaluation", uscc, transform.FormatDate(day), ErrNoGrade)
	}
	res, err := grade.Explain(ctx, s, r, day, uscc)
	if err != nil {
		return UpgradeResult{}, fmt.Errorf("upgrade application: re-evaluate at %s: %w", transform.FormatDate(day), err)
	}
	out := UpgradeResult{Granted: grade.Worse(cur.Grade, res.Grade), Change: Change{USCC: uscc, Name: res.Name, CountyCode: res.CountyCode,
		From: cur.Grade, Since: cur.ValidFrom, To: res.Grade, Clauses: res.Clauses}}
	out.Refusal = fmt.Sprintf("the rules give %s at %s, not better than %s", res.Grade, transform.FormatDate(day), cur.Grade)
	if out.Granted && !grade.Corrected(cur.Clauses, res) {
		out.Granted = false
		out.Refusal = fmt.Sprintf("the rules give %s at %s, but everything the decision of %s (%s %s) weighed still holds: %s is the grade that decision overrode, and no failing has been corrected since (纠正失信行为); the decision stands until its validity ends or new records change the grade",
			res.Grade, transform.FormatDate(day), transform.FormatDate(cur.ValidFrom), cur.RunKind, cur.RunID, res.Grade)
	}
	var added []Entry
	note := "application refused: " + out.Refusal
	if out.Granted {
		note = fmt.Sprintf("application granted: raised from %s to %s", cur.Grade, res.Grade)
		added = []Entry{{USCC: uscc, Name: res.Name, CountyCode: res.CountyCode, Grade: res.Grade, Clauses: res.Clauses,
			Status: StatusConfirmed, ValidFrom: day, ValidUntil: validUntil(day), Note: note}}
		// Recorded after a later grade began (a later night lowered the
		// grade this application was against), it holds until then.
		if err := endBeforeLaterGrades(ctx, s, day, added); err != nil {
			return UpgradeResult{}, fmt.Errorf("upgrade application: %w", err)
		}
	}
	out.Run = newRun(RunUpgrade, 0, day, r, uscc+": "+note)
	if err := commitRun(ctx, s, &out.Run, added); err != nil {
		return UpgradeResult{}, fmt.Errorf("upgrade application: %w", err)
	}
	if out.Granted {
		out.Entry = added[0]
		if err := writeEntries(ctx, s, retired([]Entry{cur}, added)); err != nil {
			return UpgradeResult{}, fmt.Errorf("upgrade application: %w", err)
		}
	}
	return out, nil
}
