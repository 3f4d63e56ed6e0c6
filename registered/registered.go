// Package registered keeps the copies of the external lists' entries that
// concern institutions in the register (migration 0070), which grading
// reads instead of the whole lists. Every way rows reach a list or the
// register goes through here: load adds each batch once it is attached
// (load.FinishLeftovers completes a copy a dead loader left undone),
// and the generator refills the copies after replacing the lists.
//
// The invariant: for every key of an external list, if any version of it
// names a registered institution (by USCC, or without a USCC by the
// institution's name key), the copy holds its latest version; and it
// holds no row the list does not (a batch is copied only once it is in
// its list). Rows beyond the entries about registered institutions are
// harmless: grading checks whom each row names.
package registered

import (
	"context"
	"fmt"
	"strings"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// Table is the name of list's copy.
func Table(list string) string { return list + "_registered" }

func render(s store.Store, name string, list *contract.List, data map[string]any) (string, error) {
	data["List"] = list.Name
	data["Key"] = strings.Join(list.Key, ", ")
	data["Columns"] = strings.Join(list.TableColumns(), ", ")
	// Penalties are keyed by decision number, which a later version may
	// move to another enterprise; the other lists' keys hold the USCC and
	// name key themselves.
	data["ByRecord"] = len(list.Key) == 1 && list.Key[0] == "record_id"
	return sql.QueryWith(sql.Target{Cluster: s.Cluster()}, "registered/"+name, data)
}

// AddBatch copies the rows of from, a batch of list not yet attached to
// it, that concern registered institutions. Lists that are not external
// have no copy; for the register itself see AddInstitutions.
func AddBatch(ctx context.Context, s store.Store, list *contract.List, from string) error {
	if !list.External {
		return nil
	}
	q, err := render(s, "add_batch", list, map[string]any{"From": from, "Register": "institutions"})
	if err != nil {
		return err
	}
	if err := s.Exec(ctx, q, nil); err != nil {
		return fmt.Errorf("copy the %s entries about registered institutions: %w", list.Name, err)
	}
	return nil
}

// Withdraw takes from list's copy the records a corrected file withdraws
// from the list (load's Source.Replaces): those the batch replaces wrote
// and the corrected file, staged in stage, lacks. Call it before the list
// loses them.
func Withdraw(ctx context.Context, s store.Store, list *contract.List, stage, replaces string) error {
	if !list.External {
		return nil
	}
	q, err := render(s, "withdraw", list, map[string]any{"Stage": stage})
	if err != nil {
		return err
	}
	if err := s.Exec(ctx, q, store.Params{"replaces": replaces}); err != nil {
		return fmt.Errorf("withdraw from the copy of %s: %w", list.Name, err)
	}
	return nil
}

// AddInstitutions copies, from every external list, the entries about the
// institutions of from: a batch of the register not yet attached to it.
func AddInstitutions(ctx context.Context, s store.Store, from string) error {
	return fill(ctx, s, from)
}

// Refill empties every copy and fills it again from the whole lists and
// register.
func Refill(ctx context.Context, s store.Store) error {
	for _, l := range contract.Lists() {
		if !l.External {
			continue
		}
		if err := s.Exec(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "store/truncate"), store.Params{"table": Table(l.Name)}); err != nil {
			return fmt.Errorf("empty %s: %w", Table(l.Name), err)
		}
	}
	return fill(ctx, s, "institutions")
}

func fill(ctx context.Context, s store.Store, register string) error {
	for _, l := range contract.Lists() {
		if !l.External {
			continue
		}
		q, err := render(s, "fill", l, map[string]any{"Register": register})
		if err != nil {
			return err
		}
		if err := s.Exec(ctx, q, nil); err != nil {
			return fmt.Errorf("copy the %s entries about registered institutions: %w", l.Name, err)
		}
	}
	return nil
}

// Missing counts, per external list, the keys whose latest version the
// copy lacks although some version concerns a registered institution:
// breaches of the invariant, which should never be found.
func Missing(ctx context.Context, s store.Store) (map[string]int64, error) {
	out := map[string]int64{}
	for _, l := range contract.Lists() {
		if !l.External {
			continue
		}
		q, err := render(s, "missing", l, map[string]any{"Register": "institutions"})
		if err != nil {
			return nil, err
		}
		n, err := store.Count(ctx, s, q, nil)
		if err != nil {
			return nil, fmt.Errorf("check the copy of %s: %w", l.Name, err)
		}
		out[l.Name] = n
	}
	return out, nil
}
