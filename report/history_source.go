package report

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// HistorySource is a Source that reads the grade history the lifecycle
// records (docs/rules.md §4): the grade an institution had on a day is the
// one in effect then — confirmed after publicity, lowered by a regrade,
// changed by a review or an upgrade application — with its validity
// dates, and shown as expired once past them; or, while a newer grade is
// publicized or under objection, that one, with its state. A cancelled or
// revoked licence ends the grade on its date. A better grade the rules
// would give is not shown until an upgrade application records it.
// Exemplary institutions are those nominated (lifecycle.Nominate) for the
// evaluation year of their grade.
type HistorySource struct {
	Store store.Store
	// Rules are the rules in force. Reading the history needs none: each
	// grade is kept with the clauses and evidence it was given.
	Rules *grade.Rules

	days dayCache

	mu       sync.Mutex
	all      []lifecycle.Entry // every recorded grade, by USCC then recording
	loadedAt time.Time         // zero until all is loaded
	allGen   string            // the data generation all was read at
}

// GradesOn returns the grade in effect on day of every institution that
// had one.
func (h *HistorySource) GradesOn(ctx context.Context, day time.Time) ([]InstitutionGrade, error) {
	day = grade.Date(day)
	gen, err := dataGeneration(ctx, h.Store)
	if err != nil {
		return nil, err
	}
	return h.days.get(ctx, day, gen, func() ([]InstitutionGrade, error) {
		states, err := lifecycle.StatesOn(ctx, h.Store, day)
		if err != nil {
			return nil, err
		}
		// The newest result is what officials mean on a day: a grade
		// publicized or under objection then is shown, labelled, in place
		// of the one in force it will replace (docs/rules.md §4.7).
		es := make([]lifecycle.Entry, len(states))
		var inForce []lifecycle.Entry
		for i, st := range states {
			es[i] = st.Shown()
			if st.Pending != nil {
				es[i] = *st.Pending
			}
			if st.InForce != nil {
				inForce = append(inForce, *st.InForce)
			}
		}
		// An institution is exemplary while the A it was chosen under is
		// in force (docs/rules.md §5): a newer grade publicized beside it
		// does not end that.
		ex, err := h.exemplary(ctx, inForce, day)
		if err != nil {
			return nil, fmt.Errorf("grades on %s: %w", transform.FormatDate(day), err)
		}
		out := make([]InstitutionGrade, len(es))
		for i, e := range es {
			out[i] = InstitutionGrade{
				USCC: e.USCC, Name: e.Name, CountyCode: e.CountyCode, Grade: e.Grade,
				Clauses:   clauseRefs(e.Told()),
				ValidFrom: e.ValidFrom, ValidUntil: e.ValidUntil,
				Expired: e.StatusOn(day) == lifecycle.StatusExpired,
			}
			if e.RegisterName != "" && e.RegisterName != e.Name {
				out[i].RegisterName = e.RegisterName
			}
			if st := states[i]; st.Pending != nil {
				out[i].ValidFrom, out[i].ValidUntil = time.Time{}, time.Time{}
				out[i].State = st.PendingStatus
				out[i].PublicityFrom, out[i].PublicityEnds = st.Pending.PublicizedFrom, st.Pending.PublicityEndsOn
				if f := st.InForce; f != nil {
					out[i].InForceGrade, out[i].InForceClauses = f.Grade, clauseRefs(f.Told())
					out[i].InForceFrom, out[i].InForceUntil = f.ValidFrom, f.ValidUntil
					out[i].InForceExpired = f.StatusOn(day) == lifecycle.StatusExpired
				}
			}
			if n, ok := ex[e.USCC]; ok {
				out[i].Exemplary, out[i].ExemplaryReason, out[i].ExemplaryOn = true, n.Reason, n.NominatedOn
			}
		}
		if err := attachRecords(ctx, h.Store, out); err != nil {
			return nil, fmt.Errorf("grades on %s: %w", transform.FormatDate(day), err)
		}
		return out, nil
	})
}

// exemplary returns the nominations that mark institutions exemplary on
// day, by USCC, among es, the grades in force on day: an institution with a confirmed (unexpired)
// grade A, nominated on or before day for the evaluation year of its
// grade, while that very grade was in force — a downgrade after the
// nomination ends it for good, even if an upgrade later restores A. A grade from a regrade or an upgrade application has no
// evaluation year of its own; the latest year among the grades in effect
// stands for it.
func (h *HistorySource) exemplary(ctx context.Context, es []lifecycle.Entry, day time.Time) (map[string]lifecycle.Nomination, error) {
	current := 0
	for _, e := range es {
		current = max(current, e.Year)
	}
	byYear := map[int]map[string]lifecycle.Nomination{}
	out := map[string]lifecycle.Nomination{}
	for _, e := range es {
		year := e.Year
		if year == 0 {
			year = current
		}
		if e.Grade != grade.A || e.StatusOn(day) != lifecycle.StatusConfirmed || year == 0 {
			continue
		}
		noms, ok := byYear[year]
		if !ok {
			ns, err := lifecycle.Nominations(ctx, h.Store, year)
			if err != nil {
				return nil, err
			}
			noms = make(map[string]lifecycle.Nomination, len(ns))
			for _, n := range ns {
				noms[n.USCC] = n
			}
			byYear[year] = noms
		}
		if n, ok := noms[e.USCC]; ok && !n.NominatedOn.After(day) && !e.ValidFrom.After(n.NominatedOn) {
			out[e.USCC] = n
		}
	}
	return out, nil
}

// Downgrades returns the recorded grades that took effect on a day d with
// from < d ≤ to and are worse than the grade they replaced: lowered by a
// regrade, by a review, or by an evaluation worse than the grade before.
// The grade replaced is changedFrom's: the publicized grade a
// confirmation lowered, the grade under review a review resolved, else the
// one in effect until then. The clauses are those of the new
// grade that are worse than the old one.
func (h *HistorySource) Downgrades(ctx context.Context, from, to time.Time) ([]Change, error) {
	from, to = grade.Date(from), grade.Date(to)
	all, err := h.history(ctx)
	if err != nil {
		return nil, fmt.Errorf("downgrades to %s: %w", transform.FormatDate(to), err)
	}
	byUSCC := map[string][]lifecycle.Entry{}
	for _, e := range all {
		byUSCC[e.USCC] = append(byUSCC[e.USCC], e)
	}
	var out []Change
	for _, e := range all {
		if !inEffectSome(e) || !e.ValidFrom.After(from) || e.ValidFrom.After(to) {
			continue
		}
		old, ok := changedFrom(byUSCC[e.USCC], e)
		if e.RunKind == lifecycle.RunReview {
			// The trends count grades in force: a review is a change
			// from the grade in force it replaced, as the same result
			// confirmed without an objection is; from the grade under
			// review only when none was in force (a first evaluation).
			old, ok = replaced(byUSCC[e.USCC], e)
		}
		if !ok || !grade.Worse(e.Grade, old.Grade) {
			continue
		}
		out = append(out, Change{USCC: e.USCC, Name: e.Name, CountyCode: e.CountyCode, Day: e.ValidFrom,
			From: old.Grade, To: e.Grade, Clauses: worseThan(clauseRefs(e.Told()), old.Grade)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Day.Equal(out[j].Day) {
			return out[i].Day.Before(out[j].Day)
		}
		return out[i].USCC < out[j].USCC
	})
	return out, nil
}

// inEffectSome reports whether e was in effect for a day at least: a
// grade superseded on the day it took effect never applied.
func inEffectSome(e lifecycle.Entry) bool {
	return !e.ValidFrom.IsZero() && (e.SupersededOn.IsZero() || e.SupersededOn.After(e.ValidFrom))
}

// replaced returns the grade e replaced, from the institution's history
// es (oldest first): the grade in effect that e superseded, else, when e
// is a review, the grade under review it resolved. False when e replaced
// nothing (a first evaluation).
//
// A grade that took effect on e's first day and was superseded that same
// day — confirmed in the morning, lowered by a regrade as of the same
// day — was in force for no whole day, yet it is the grade e replaced
// (it replaced the earlier one itself): 原等级 is that grade, and an
// exemplary A ends with it.
func replaced(es []lifecycle.Entry, e lifecycle.Entry) (lifecycle.Entry, bool) {
	var was, sameDay, reviewed lifecycle.Entry
	var hadGrade, hadSameDay, hadReview bool
	for _, p := range es {
		if p.RunID == e.RunID || !p.SupersededOn.Equal(e.ValidFrom) {
			continue
		}
		switch {
		case inEffectSome(p):
			was, hadGrade = p, true
		case p.ValidFrom.Equal(e.ValidFrom):
			sameDay, hadSameDay = p, true
		case p.ValidFrom.IsZero() && e.RunKind == lifecycle.RunReview:
			reviewed, hadReview = p, true
		}
	}
	switch {
	case hadSameDay:
		return sameDay, true
	case hadGrade:
		return was, true
	}
	return reviewed, hadReview
}

// changedFrom returns the grade a change e is from, for 原等级 and the
// downgrades: for a confirmation lower than publicized (a regrade that
// superseded a publicized grade on its first day, docs/rules.md §4.3), the
// publicized grade it lowered — never in force, but the grade the
// confirmation found too good, also when no grade was in force before;
// for a review, the grade under review it resolved — the one the unit's
// last 附件2 printed with 异议复核中, not the older grade in force beside
// it (§4.2); else the grade e replaced. 动态调整情况 and the trends'
// downgrades both read it, but for a review the trends, which count
// grades in force, take the grade in force it replaced (Downgrades).
func changedFrom(es []lifecycle.Entry, e lifecycle.Entry) (lifecycle.Entry, bool) {
	for _, p := range es {
		if p.RunID == e.RunID || !p.ValidFrom.IsZero() || !p.SupersededOn.Equal(e.ValidFrom) {
			continue
		}
		switch {
		case e.RunKind == lifecycle.RunRegrade && p.RunKind == lifecycle.RunEvaluate:
			return p, true
		case e.RunKind == lifecycle.RunReview && !p.ObjectedOn.IsZero():
			return p, true
		}
	}
	return replaced(es, e)
}

// history returns every recorded grade, read again when the data
// changed or after cacheFor.
func (h *HistorySource) history(ctx context.Context) ([]lifecycle.Entry, error) {
	gen, err := dataGeneration(ctx, h.Store)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.loadedAt.IsZero() && time.Since(h.loadedAt) < cacheFor && h.allGen == gen {
		return h.all, nil
	}
	// An empty USCC selects every institution's history.
	all, err := lifecycle.History(ctx, h.Store, "")
	if err != nil {
		return nil, err
	}
	h.all, h.loadedAt, h.allGen = all, time.Now(), gen
	return all, nil
}

// Kinds of Source that NewSource chooses.
const (
	SourceHistory = "history" // HistorySource
	SourceCompute = "compute" // ComputeSource
)

// SourceNote says where the grades of a kind of source come from, for a
// log line or a report's footnote.
func SourceNote(kind string) string {
	switch kind {
	case SourceHistory:
		return "grades as recorded in the history"
	case SourceCompute:
		return "grades computed by the rules; no evaluation recorded yet"
	}
	return ""
}

// NewSource chooses where reports get grades from: the grade history when
// the store has any recorded grade (an evaluation was run), else grades
// computed with rules at each day. It returns the source and its kind,
// SourceHistory or SourceCompute.
func NewSource(ctx context.Context, s store.Store, rules *grade.Rules) (Source, string, error) {
	return NewSources(s, rules).Choose(ctx)
}

// Sources makes NewSource's choice again at each Choose, for a process
// that outlives it: a daemon started before the first evaluation was
// recorded reads the recorded grades — publicity, objections, reviews —
// from the moment there are some, as a command run then does; chosen
// once at its start, its pages kept computing grades with the rules until
// it restarted. Each source keeps its caches across the calls.
type Sources struct {
	history *HistorySource
	compute *ComputeSource
}

// NewSources returns the sources of grades of store s.
func NewSources(s store.Store, rules *grade.Rules) *Sources {
	return &Sources{history: &HistorySource{Store: s, Rules: rules}, compute: &ComputeSource{Store: s, Rules: rules}}
}

// Generation is a value that changes whenever what the sources give may
// (every write of the grades, the runs, the batches, the nominations; see
// sql/queries/report/data_generation.sql): equal before and after a
// reader's several calls, they all read one state of the data.
func (c *Sources) Generation(ctx context.Context) (string, error) {
	return dataGeneration(ctx, c.history.Store)
}

// Choose returns the source NewSource would choose now and its kind. The
// history is read again only when the data changed (HistorySource.history).
func (c *Sources) Choose(ctx context.Context) (Source, string, error) {
	all, err := c.history.history(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("choose the source of grades: %w", err)
	}
	if len(all) > 0 {
		return c.history, SourceHistory, nil
	}
	return c.compute, SourceCompute, nil
}
