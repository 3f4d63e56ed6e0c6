package lifecycle

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

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
	// The stamp is UTC and says so (Z), as the ids of jobs and sync runs.
	now := time.Now().UTC()
	return Run{
		ID:            fmt.Sprintf("%s-%s-%s", kind, now.Format("20060102T150405Z"), hex.EncodeToString(b)),
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
//
// The grades they replace are marked superseded after (retired): new
// versions of rows of finished runs are visible at once, and marking them
// first would leave an institution without a grade in force should the
// run fail. A run that dies between the two leaves two grades in force;
// readers take the one in force from the latest day (latestPerInstitution,
// the views' window, migration 0170), and the next run mends the rows first
// (closeReplaced).
func commitRun(ctx context.Context, s store.Store, run *Run, entries []Entry) error {
	if err := closeReplaced(ctx, s); err != nil {
		return err
	}
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

// closeReplaced marks superseded the grades a dead run left in force
// beside the grades that replaced them: of an institution's grades in
// force with no successor, each but the one in force from the latest day
// is superseded from the day the next began.
func closeReplaced(ctx context.Context, s store.Store) error {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "grade/open_twice"), nil)
	if err != nil {
		return fmt.Errorf("look for grades left in force by a run that died: %w", err)
	}
	var twice []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return fmt.Errorf("look for grades left in force by a run that died: %w", err)
		}
		twice = append(twice, u)
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("look for grades left in force by a run that died: %w", err)
	}
	var mended []Entry
	for _, u := range twice {
		open, err := readHistory(ctx, s, filter{uscc: u, open: true})
		if err != nil {
			return err
		}
		// In force from the earliest day first, the last recorded last
		// among grades from one day (the one meant: latestPerInstitution).
		slices.SortStableFunc(open, func(a, b Entry) int { return a.ValidFrom.Compare(b.ValidFrom) })
		for i := 0; i+1 < len(open); i++ {
			e := open[i]
			e.Status, e.SupersededOn = StatusSuperseded, open[i+1].ValidFrom
			mended = append(mended, e)
		}
	}
	return writeEntries(ctx, s, mended)
}
