package listsync

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/zone"
)

// Status is a configured source as the store remembers it.
type Status struct {
	Source, List, Kind, Mode string
	Disabled                 bool
	LastRun                  *time.Time
	LastStatus, LastError    string
	LastSuccess              *time.Time
	Age                      time.Duration // since the last success
	MaxStaleness             time.Duration
	Stale                    bool   // never synced, or the last success is older than MaxStaleness
	SnapshotRows             uint64 // records in the last complete snapshot
	Listed, Removed          uint64 // records the source lists now, and has dropped
	// PendingRemovals are records one complete snapshot lacked, waiting
	// for a second; HeldRemovals were confirmed but wait for a person.
	PendingRemovals, HeldRemovals uint64
	// HeldChanges are changes to listed records that wait for a person.
	HeldChanges uint64
	// LastMislabelled are the pages of the last run whose charset label
	// was wrong ("page 3: labelled utf-8, but its bytes are GB18030").
	LastMislabelled []string
	// SkippedChecks are the checks the configuration switches off,
	// "check: reason".
	SkippedChecks []string
	OpenSnapshot  string // an interrupted snapshot the next sync resumes
	OpenPages     uint64
	OpenRecords   uint64
}

// Sources reports every configured source, plus any source with runs in
// the store that the configuration no longer names.
func Sources(ctx context.Context, s store.Store, cfg Config, now time.Time) ([]Status, error) {
	t := sql.Target{Cluster: s.Cluster()}
	byName := map[string]*Status{}
	var out []*Status
	for _, src := range cfg.Sources {
		st := &Status{Source: src.Name, List: src.List, Kind: src.Kind, Mode: src.Mode, Disabled: src.Disabled, MaxStaleness: src.staleAfter(cfg.Settings),
			SkippedChecks: src.Skipped()}
		byName[src.Name] = st
		out = append(out, st)
	}
	get := func(name string) *Status {
		if st, ok := byName[name]; ok {
			return st
		}
		st := &Status{Source: name, Kind: "(not configured)", MaxStaleness: cfg.Settings.MaxStaleness}
		byName[name] = st
		out = append(out, st)
		return st
	}
	rows, err := s.Query(ctx, sql.MustQuery(t, "sync/source_runs"), nil)
	if err != nil {
		return nil, fmt.Errorf("read sync runs: %w", err)
	}
	for rows.Next() {
		var name string
		var last time.Time
		var st Status
		if err := rows.Scan(&name, &last, &st.LastStatus, &st.LastError, &st.LastSuccess, &st.SnapshotRows, &st.LastMislabelled); err != nil {
			rows.Close()
			return nil, err
		}
		p := get(name)
		p.LastRun, p.LastStatus, p.LastError, p.LastSuccess, p.SnapshotRows = &last, st.LastStatus, st.LastError, st.LastSuccess, st.SnapshotRows
		p.LastMislabelled = st.LastMislabelled
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = s.Query(ctx, sql.MustQuery(t, "sync/source_records"), nil)
	if err != nil {
		return nil, fmt.Errorf("read external records: %w", err)
	}
	for rows.Next() {
		var name string
		var listed, removed, pending, held, changes uint64
		if err := rows.Scan(&name, &listed, &removed, &pending, &held, &changes); err != nil {
			rows.Close()
			return nil, err
		}
		p := get(name)
		p.Listed, p.Removed, p.PendingRemovals, p.HeldRemovals, p.HeldChanges = listed, removed, pending, held, changes
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = s.Query(ctx, sql.MustQuery(t, "sync/source_states"), nil)
	if err != nil {
		return nil, fmt.Errorf("read sync state: %w", err)
	}
	for rows.Next() {
		var name, snap string
		var started *time.Time
		var pages, recs uint64
		if err := rows.Scan(&name, &snap, &started, &pages, &recs); err != nil {
			rows.Close()
			return nil, err
		}
		if p, ok := byName[name]; ok && pages > 0 {
			p.OpenSnapshot, p.OpenPages, p.OpenRecords = snap, pages, recs
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	res := make([]Status, len(out))
	for i, p := range out {
		if p.LastSuccess != nil {
			p.Age = now.Sub(*p.LastSuccess)
		}
		p.Stale = p.LastSuccess == nil || p.Age > p.MaxStaleness
		res[i] = *p
	}
	return res, nil
}

// ReviewItem is an external record without a USCC that no single
// institution's name matches.
type ReviewItem struct {
	List, Source, Name, RecordKey string
	QueuedAt                      time.Time
	Candidates                    []string // USCCs of institutions with the same name key: none, or several
}

// Review returns the open review queue, checked against the register as
// it is now; list filters it ("" = every list).
func Review(ctx context.Context, s store.Store, list string) ([]ReviewItem, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "sync/review_list"), store.Params{"list": list})
	if err != nil {
		return nil, fmt.Errorf("read the review queue: %w", err)
	}
	defer rows.Close()
	var out []ReviewItem
	for rows.Next() {
		var it ReviewItem
		var n uint64
		if err := rows.Scan(&it.List, &it.Source, &it.Name, &it.RecordKey, &it.QueuedAt, &n, &it.Candidates); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Removal is a record a complete snapshot no longer lists that is not
// removed yet: pending a second snapshot, or held for a person.
type Removal struct {
	Source, List, RecordKey, USCC, Name string
	MissedOn                            time.Time // the first complete snapshot that lacked it; the removal date
	MissedSnapshot                      string
	Held                                bool
	LastSeen                            time.Time
}

// Removals returns the removals waiting, of one source or all ("").
func Removals(ctx context.Context, s store.Store, source string) ([]Removal, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "sync/removals_waiting"), store.Params{"source": source})
	if err != nil {
		return nil, fmt.Errorf("read the removals waiting: %w", err)
	}
	defer rows.Close()
	var out []Removal
	for rows.Next() {
		var rm Removal
		if err := rows.Scan(&rm.Source, &rm.List, &rm.RecordKey, &rm.USCC, &rm.Name, &rm.MissedOn, &rm.MissedSnapshot, &rm.Held, &rm.LastSeen); err != nil {
			return nil, err
		}
		out = append(out, rm)
	}
	return out, rows.Err()
}

// AcceptRemovals writes the removals of a source that its limits held,
// once a person has checked that the records really left the list. It
// returns how many it removed.
func AcceptRemovals(ctx context.Context, s store.Store, cfg Config, source string, opt Options) (int, error) {
	r, err := acceptor(cfg, s, source, opt)
	if err != nil {
		return 0, err
	}
	before, err := r.readRecords(ctx)
	if err != nil {
		return 0, err
	}
	var keys []string
	for _, key := range slices.Sorted(maps.Keys(before)) {
		if k := before[key]; k.held && k.removedOn == nil && k.missedOn != nil {
			keys = append(keys, key)
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	if err := r.remove(ctx, "removals of "+r.src.Name+" accepted by a person on "+r.now.In(zone.Shanghai).Format(time.DateOnly), keys, before, nil); err != nil {
		return 0, err
	}
	r.log.Info("held removals accepted", "records", len(keys))
	return len(keys), nil
}
