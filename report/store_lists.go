package report

import (
	"context"
	"errors"
	"time"
)

// errNoRules: the watch lists compare the grades in force with the rules'
// grades, so a source without rules cannot build them.
var errNoRules = errors.New("watch lists: the source has no rules to grade with")

// Watch is the watch lists of unit u on day (BuildWatch) with the rules
// in force, as the command line builds them: what the web offers beside
// the notice's forms.
func (h *HistorySource) Watch(ctx context.Context, u Unit, day time.Time) (*Watch, error) {
	if h.Rules == nil {
		return nil, errNoRules
	}
	return BuildWatch(ctx, h.Store, h.Rules, u, day)
}

// Watch is the watch lists of unit u on day, as HistorySource's: with no
// evaluation recorded, every licensed institution is still to evaluate.
func (c *ComputeSource) Watch(ctx context.Context, u Unit, day time.Time) (*Watch, error) {
	if c.Rules == nil {
		return nil, errNoRules
	}
	return BuildWatch(ctx, c.Store, c.Rules, u, day)
}

// Conflicts are the records of unit u dated on or before day that
// contradict the register (BuildConflicts), as the command line reads
// them.
func (h *HistorySource) Conflicts(ctx context.Context, u Unit, day time.Time) (*Conflicts, error) {
	return BuildConflicts(ctx, h.Store, u, day)
}

// Conflicts are the records contradicting the register, read as
// HistorySource's: they do not depend on grades.
func (c *ComputeSource) Conflicts(ctx context.Context, u Unit, day time.Time) (*Conflicts, error) {
	return BuildConflicts(ctx, c.Store, u, day)
}
