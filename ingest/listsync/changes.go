package listsync

// Held changes: a change a source shows to a listed record that would
// lift a grade on its word alone waits for a person, as a removal
// beyond the limits does (docs/sync.md §5).

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

// detaches says how p, a new version of the listed record prev, takes
// the record from the registered institution prev names, or "" when it
// does not. A penalty is keyed by its 决定书文号 alone, so a site that
// stops showing the party's USCC and writes its name so that the
// register cannot place it — with the legal representative, cut short
// with …, masked (襄城县**有限公司) — shows the same decision as a
// change: applied, the institution's penalty became nobody's, and B6
// ended in one sync while the decision was still published. On the lists
// keyed by name and date the same change makes a new key, and the old
// one's removal is held (holdUnnamed); here the change is.
func (reg register) detaches(prev known, p parsed) string {
	was := reg.institution(prev.uscc, transform.NormalizeName(prev.name))
	if was == "" || prev.uscc != "" && !reg.codes[prev.uscc] {
		return "" // it named no registered institution: nothing to lift
	}
	if reg.institution(p.uscc, p.nameKey) == was {
		return ""
	}
	switch {
	case prev.uscc != "" && p.uscc == "":
		return fmt.Sprintf("the source no longer shows its USCC %s, and the name it shows, %s, is not that institution's in the register", was, p.name)
	case prev.uscc != "":
		return fmt.Sprintf("its USCC changed from %s to %s", was, p.uscc)
	case p.uscc == "":
		return fmt.Sprintf("its name changed from %s (%s in the register) to %s, which the register does not tie to %s", prev.name, was, p.name, was)
	}
	return fmt.Sprintf("it names %s, where its name %s named %s in the register", p.uscc, prev.name, was)
}

// holding is the row of a listed record whose change p waits for a
// person: its stored version, which the lists keep, seen now by
// snapshot, with p held beside it since since.
func (k known) holding(p parsed, why string, since, now time.Time, snapshot string) known {
	k.lastSeen, k.lastSnapshot = now, snapshot
	k.missedOn, k.missedSnapshot, k.missedAt, k.held = nil, "", nil, false
	k.heldRecord, k.heldHash, k.heldExtra, k.heldWhy, k.heldSince = p.record, p.hash, p.extra, why, &since
	return k
}

// HeldChange is a change a source shows to a listed record that waits
// for a person: the version the lists hold (USCC, Name) and the one the
// source shows.
type HeldChange struct {
	Source, List, RecordKey, USCC, Name string
	ShownUSCC, ShownName                string
	Why                                 string
	Since, LastSeen                     time.Time
}

// HeldChanges returns the changes waiting for a person, of one source or
// all ("").
func HeldChanges(ctx context.Context, s store.Store, source string) ([]HeldChange, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "sync/changes_held"), store.Params{"source": source})
	if err != nil {
		return nil, fmt.Errorf("read the changes held: %w", err)
	}
	defer rows.Close()
	var out []HeldChange
	for rows.Next() {
		var c HeldChange
		var record string
		var since *time.Time
		if err := rows.Scan(&c.Source, &c.List, &c.RecordKey, &c.USCC, &c.Name, &record, &c.Why, &since, &c.LastSeen); err != nil {
			return nil, err
		}
		var v map[string]string
		_ = json.Unmarshal([]byte(record), &v)
		c.ShownUSCC, c.ShownName = v["uscc"], v["name"]
		if since != nil {
			c.Since = *since
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AcceptChanges loads the changes of a source held for a person, once a
// person has checked on the site that the records really changed so. It
// returns how many it loaded.
func AcceptChanges(ctx context.Context, s store.Store, cfg Config, source string, opt Options) (int, error) {
	r, err := acceptor(cfg, s, source, opt)
	if err != nil {
		return 0, err
	}
	before, err := r.readRecords(ctx)
	if err != nil {
		return 0, err
	}
	var rows []recordRow
	var versions []version
	var extras []string
	for _, key := range slices.Sorted(maps.Keys(before)) {
		k := before[key]
		if k.heldHash == "" || k.removedOn != nil {
			continue
		}
		var v map[string]string
		if err := json.Unmarshal([]byte(k.heldRecord), &v); err != nil {
			return 0, fmt.Errorf("held change of %q: %w", key, err)
		}
		versions = append(versions, version{values: v, extra: k.heldExtra})
		extras = append(extras, k.heldExtra)
		k.uscc, k.name, k.hash, k.record, k.extra = v["uscc"], v["name"], k.heldHash, k.heldRecord, k.heldExtra
		k.heldRecord, k.heldHash, k.heldExtra, k.heldWhy, k.heldSince = "", "", "", "", nil
		rows = append(rows, recordRow{key: key, k: k})
	}
	if len(rows) == 0 {
		return 0, nil
	}
	ref := "changes of " + r.src.Name + " accepted by a person on " + r.now.In(zone.Shanghai).Format(time.DateOnly)
	if err := r.loadVersions(ctx, "write the accepted changes", ref, versions, extras); err != nil {
		return 0, err
	}
	if err := r.writeRecords(ctx, rows); err != nil {
		return 0, err
	}
	r.log.Info("held changes accepted", "records", len(rows))
	return len(rows), nil
}

// acceptor is a runner for what a person accepts of source.
func acceptor(cfg Config, s store.Store, source string, opt Options) (*runner, error) {
	srcs, err := cfg.Enabled([]string{source})
	if err != nil {
		return nil, err
	}
	src := srcs[0]
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	l, _ := contract.Lookup(src.List)
	return &runner{s: s, t: sql.Target{Cluster: s.Cluster()}, set: cfg.Settings, src: src, list: l, opt: opt, now: time.Now(),
		res: &Result{Source: src.Name, List: src.List}, log: opt.Logger.With("source", src.Name)}, nil
}
