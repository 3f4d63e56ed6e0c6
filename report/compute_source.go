package report

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// ComputeSource is a Source that grades with the rules at each requested
// day (grade.Compute). It shows what the rules say on a day, not the
// lifecycle of docs/rules.md §4: a grade counts as confirmed on the day it is
// asked for (valid for one year from it), rules that stop holding show as
// an upgrade at once, and no institution is exemplary, since choosing one
// is a decision nobody has recorded.
type ComputeSource struct {
	Store store.Store
	Rules *grade.Rules

	days dayCache
}

// cacheFor is how long a day's grades are reused at most. One report asks
// for the same month-ends several times. Grades read are reused only
// while the store's data generation stays the same (dataGeneration): a
// regrade or an import shows at once; cacheFor bounds what a change the
// generation does not see (a write through sql --write) may take.
const cacheFor = time.Minute

// dataGeneration is what the grades a source shows follow from, as one
// value that changes whenever that may (sql/queries/report/data_generation.sql).
func dataGeneration(ctx context.Context, s store.Store) (string, error) {
	var g string
	if err := store.QueryRow(ctx, s, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "report/data_generation"), nil, &g); err != nil {
		return "", fmt.Errorf("read the data generation: %w", err)
	}
	return g, nil
}

// dayCache keeps the grades of each day asked for during cacheFor. The
// zero value is ready to use. Each day is loaded once however many ask
// for it at once; days load side by side, so that one reader asking for
// many days does not hold up another's page.
type dayCache struct {
	mu    sync.Mutex
	cache map[time.Time]*dayLoad
}

// dayLoad is one day's grades, loading until done is closed.
type dayLoad struct {
	done   chan struct{}
	gen    string // the data generation it was loaded at
	at     time.Time
	grades []InstitutionGrade
	err    error
}

// get returns the grades of day from the cache, or from load (and keeps
// them), for the data generation gen: grades loaded at another are
// stale. A request that waits for another's load of the same day stops
// waiting when its own ctx ends; a load that failed is not kept.
func (c *dayCache) get(ctx context.Context, day time.Time, gen string, load func() ([]InstitutionGrade, error)) ([]InstitutionGrade, error) {
	for {
		c.mu.Lock()
		e, ok := c.cache[day]
		if ok && e.gen != gen {
			ok = false // loaded (or loading) before the data changed
		}
		if ok {
			select {
			case <-e.done:
				if time.Since(e.at) >= cacheFor {
					ok = false // stale: load again
				}
			default: // loading
			}
		}
		if !ok {
			e = &dayLoad{done: make(chan struct{}), gen: gen}
			if c.cache == nil {
				c.cache = map[time.Time]*dayLoad{}
			}
			for d, old := range c.cache {
				select {
				case <-old.done:
					if time.Since(old.at) >= cacheFor || old.gen != gen {
						delete(c.cache, d)
					}
				default:
				}
			}
			c.cache[day] = e
			c.mu.Unlock()
			e.grades, e.err = load()
			e.at = time.Now()
			close(e.done)
			if e.err != nil {
				c.mu.Lock()
				if c.cache[day] == e {
					delete(c.cache, day)
				}
				c.mu.Unlock()
			}
			return e.grades, e.err
		}
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err == nil {
			return e.grades, nil
		}
		if !errors.Is(e.err, context.Canceled) && !errors.Is(e.err, context.DeadlineExceeded) {
			return nil, e.err
		}
		// The request that loaded it went away: load it for this one.
	}
}

// GradesOn grades every institution at day.
func (c *ComputeSource) GradesOn(ctx context.Context, day time.Time) ([]InstitutionGrade, error) {
	day = grade.Date(day)
	gen, err := dataGeneration(ctx, c.Store)
	if err != nil {
		return nil, err
	}
	return c.days.get(ctx, day, gen, func() ([]InstitutionGrade, error) {
		res, err := grade.Compute(ctx, c.Store, c.Rules, day)
		if err != nil {
			return nil, err
		}
		out := make([]InstitutionGrade, 0, len(res))
		for _, r := range res {
			out = append(out, fromResult(r, day))
		}
		if err := attachRecords(ctx, c.Store, out); err != nil {
			return nil, fmt.Errorf("grades on %s: %w", transform.FormatDate(day), err)
		}
		return out, nil
	})
}

// Downgrades compares the grades at from and at to: an institution graded
// at both whose grade at to is worse has a change dated to, caused by the
// clauses at to that are worse than its grade at from. Changes in between
// that were undone by to are not seen.
func (c *ComputeSource) Downgrades(ctx context.Context, from, to time.Time) ([]Change, error) {
	before, err := c.GradesOn(ctx, from)
	if err != nil {
		return nil, err
	}
	after, err := c.GradesOn(ctx, to)
	if err != nil {
		return nil, err
	}
	was := make(map[string]grade.Grade, len(before))
	for _, g := range before {
		was[g.USCC] = g.Grade
	}
	var out []Change
	for _, g := range after {
		old, ok := was[g.USCC]
		if !ok || !grade.Worse(g.Grade, old) {
			continue
		}
		out = append(out, Change{USCC: g.USCC, Name: g.Name, CountyCode: g.CountyCode, Day: grade.Date(to),
			From: old, To: g.Grade, Clauses: worseThan(g.Clauses, old)})
	}
	return out, nil
}

// worseThan returns the clauses that give a grade worse than old: the
// clauses that caused a change from old.
func worseThan(clauses []ClauseRef, old grade.Grade) []ClauseRef {
	var out []ClauseRef
	for _, cl := range clauses {
		if def, ok := grade.LookupClause(cl.ID); ok && grade.Worse(def.Grade, old) {
			out = append(out, cl)
		}
	}
	return out
}

func fromResult(r grade.Result, day time.Time) InstitutionGrade {
	return InstitutionGrade{
		USCC: r.USCC, Name: r.Name, CountyCode: r.CountyCode, Grade: r.Grade,
		ValidFrom: day, ValidUntil: addYears(day, 1).AddDate(0, 0, -1),
		Clauses: clauseRefs(r.Clauses),
	}
}

// clauseRefs converts the grader's clauses, with their evidence, to what
// reports show.
func clauseRefs(clauses []grade.Clause) []ClauseRef {
	var out []ClauseRef
	for _, cl := range clauses {
		ref := ClauseRef{ID: cl.ID, Text: cl.Text}
		for _, e := range cl.Evidence {
			ref.Evidence = append(ref.Evidence, Evidence{Kind: e.Kind, ID: e.ID, Date: e.Date, Detail: e.Detail})
		}
		out = append(out, ref)
	}
	return out
}

// addYears adds whole years the way ClickHouse's addYears does (and
// docs/rules.md counts a year): 29 February becomes 28 February, where Go's
// AddDate would roll over into March.
func addYears(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	if m == time.February && d == 29 && !isLeap(y+n) {
		d = 28
	}
	return time.Date(y+n, m, d, 0, 0, 0, 0, time.UTC)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// recordKey identifies a record across the two lists it may come from.
type recordKey struct{ kind, id string }

// attachRecords looks up, in one query, the inspection records and
// penalties the evidence names, and adds each to the institutions whose
// evidence names it. Both sources use it.
func attachRecords(ctx context.Context, s store.Store, grades []InstitutionGrade) error {
	var inspections, penalties []string
	seen := map[recordKey]bool{}
	for _, g := range grades {
		for _, cl := range g.Clauses {
			for _, e := range cl.Evidence {
				k := recordKey{e.Kind, e.ID}
				if seen[k] {
					continue
				}
				seen[k] = true
				switch e.Kind {
				case "inspection":
					inspections = append(inspections, e.ID)
				case "penalty":
					penalties = append(penalties, e.ID)
				}
			}
		}
	}
	if len(inspections)+len(penalties) == 0 {
		return nil
	}
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "report/evidence_records"),
		store.Params{"inspection_ids": inspections, "penalty_ids": penalties})
	if err != nil {
		return fmt.Errorf("look up evidence records: %w", err)
	}
	defer rows.Close()
	records := map[recordKey]Record{}
	for rows.Next() {
		var src string
		var r Record
		if err := rows.Scan(&src, &r.ID, &r.Kind, &r.Severity, &r.Date, &r.Measure, &r.Authority, &r.Description); err != nil {
			return fmt.Errorf("look up evidence records: %w", err)
		}
		records[recordKey{src, r.ID}] = r
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look up evidence records: %w", err)
	}
	for i := range grades {
		g := &grades[i]
		added := map[recordKey]bool{}
		for _, cl := range g.Clauses {
			for _, e := range cl.Evidence {
				k := recordKey{e.Kind, e.ID}
				if r, ok := records[k]; ok && !added[k] {
					added[k] = true
					g.Records = append(g.Records, r)
				}
			}
		}
		sortRecords(g.Records)
	}
	return nil
}
