// Package jobs runs ordered steps as recorded runs: each step's start,
// end, counts and error go to job_runs, a failed required step stops the
// run, and a panic is recovered and recorded instead of killing the
// scheduler. It also holds the run lock, run summaries, the webhook and
// metrics. Which steps make a job — the nightly pipeline, syncs, reports —
// is package workflows' to say.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// Step is one unit of a job.
type Step struct {
	Name string
	// Required steps stop the run when they fail: later steps would work
	// on data that cannot be trusted. Optional ones are reported and the
	// run goes on.
	Required bool
	Run      func(ctx context.Context) (Outcome, error)
}

// Outcome is what a step reports.
type Outcome struct {
	Counts  map[string]int64
	Summary string // one or more lines for people
	Detail  any    // step-specific data for the run's JSON summary
}

// Step statuses.
const (
	StatusRunning  = "running"
	StatusOK       = "ok"
	StatusFailed   = "failed"
	StatusSkipped  = "skipped"
	StatusPanicked = "panicked"
	// StatusDegraded: the step did its work, but with an input it depends
	// on missing (a source that failed): later steps still run, on the
	// last good data, and the run ends degraded, or failed when the
	// missing input was required (DegradedError.Required).
	StatusDegraded = "degraded"
	// StatusInterrupted: the run was stopped (SIGTERM, Ctrl-C) before its
	// last step. The steps that ran are recorded as they ended, the rest
	// skipped; a step cancelled by a second signal or the stop's deadline
	// is interrupted too. It is no failure of the job, so it alerts
	// nobody, and no success either: the job's last success stays where
	// it was.
	StatusInterrupted = "interrupted"
)

// DegradedError is a step's report that it finished without something it
// depends on: a failed source whose last good data was used instead. It
// does not stop the run, but the run does not end ok.
type DegradedError struct {
	Err error
	// Required: what is missing is required (a source marked required),
	// so the run ends failed, though its later steps ran.
	Required bool
}

func (e *DegradedError) Error() string { return e.Err.Error() }
func (e *DegradedError) Unwrap() error { return e.Err }

// ErrDegraded is returned by Run when a step was degraded.
var ErrDegraded = errors.New("the run is degraded")

// StepResult is a step as it ran.
type StepResult struct {
	Name     string           `json:"name"`
	Required bool             `json:"required"`
	Status   string           `json:"status"`
	Started  time.Time        `json:"started"`
	Finished time.Time        `json:"finished"`
	Counts   map[string]int64 `json:"counts,omitempty"`
	Summary  string           `json:"summary,omitempty"`
	Error    string           `json:"error,omitempty"`
	Detail   any              `json:"detail,omitempty"`
}

// Report is a whole run.
type Report struct {
	RunID    string       `json:"run_id"`
	Job      string       `json:"job"`
	Host     string       `json:"host"`
	Status   string       `json:"status"`
	Started  time.Time    `json:"started"`
	Finished time.Time    `json:"finished"`
	Steps    []StepResult `json:"steps"`
	// Unrecorded says what of the run could not be written to job_runs
	// ("step sync ended ok: …", "the run's end: …"): the store full or
	// gone. Such a run is failed, whatever its steps did: status would
	// show it running for good, and nobody would learn of it.
	Unrecorded []string `json:"unrecorded,omitempty"`
}

// Failed returns the steps that did not succeed.
func (r Report) Failed() []StepResult {
	var out []StepResult
	for _, s := range r.Steps {
		if s.Status == StatusFailed || s.Status == StatusPanicked || s.Status == StatusDegraded {
			out = append(out, s)
		}
	}
	return out
}

// ErrStepFailed is returned by Run when a required step failed.
var ErrStepFailed = errors.New("a required step failed")

// ErrNotRecorded is returned by Run when part of the run could not be
// written to job_runs (Report.Unrecorded says which).
var ErrNotRecorded = errors.New("the run could not be recorded in the store")

// ErrInterrupted is returned by Run when a stop ended the run before its
// last step.
var ErrInterrupted = errors.New("the run was stopped before its last step")

type hardKey struct{}

// WithGrace returns ctx for a graceful stop: when ctx ends, a run under
// it lets the running step finish and starts no other; the step itself
// is cancelled only when hard ends (a second signal, the stop's
// deadline). Without it, ctx ending cancels the running step too. Steps
// commit their writes at their end, so cancelling one midway throws its
// work away: that is for when the stop cannot wait.
func WithGrace(ctx, hard context.Context) context.Context {
	return context.WithValue(ctx, hardKey{}, hard)
}

// Hard returns the context that cancels a running step under ctx: the
// grace's hard context, or ctx itself without a grace.
func Hard(ctx context.Context) context.Context {
	if hard, ok := ctx.Value(hardKey{}).(context.Context); ok {
		return hard
	}
	return ctx
}

// stepContext is the context steps run under: ctx's values, cancelled
// when the grace's hard context ends, or ctx itself without a grace.
func stepContext(ctx context.Context) (context.Context, context.CancelFunc) {
	hard := Hard(ctx)
	if hard == ctx {
		return context.WithCancel(ctx)
	}
	step, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(hard, func() { cancel(context.Cause(hard)) })
	return step, func() { stop(); cancel(context.Canceled) }
}

// Runner records runs in a store.
type Runner struct {
	Store store.Store
	Log   *slog.Logger
	// Metrics, when set, hears which step runs (Metrics.Running).
	Metrics *Metrics
	// Now is the clock; tests replace it.
	Now func() time.Time
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// Run executes steps in order and records every one. It returns the
// report and ErrStepFailed (wrapped) when a required step failed or
// panicked; the remaining steps are then recorded as skipped. When ctx
// ends (SIGTERM) no further step starts and the run ends interrupted
// (ErrInterrupted); under WithGrace the running step finishes first.
func (r *Runner) Run(ctx context.Context, job string, steps []Step) (Report, error) {
	host, _ := os.Hostname()
	rep := Report{RunID: NewRunID(r.now()), Job: job, Host: host, Status: StatusRunning, Started: r.now()}
	log := r.Log.With("job", job, "run", rep.RunID)
	if err := r.record(context.WithoutCancel(ctx), rep, 0, StepResult{Status: StatusRunning, Started: rep.Started}); err != nil {
		// Nothing ran; the run is still a failed one, to be reported as
		// such (webhook, metrics), not one left "running".
		rep.Status, rep.Finished = StatusFailed, r.now()
		rep.Unrecorded = []string{"the run's start: " + err.Error()}
		log.Error("could not record the start of the run; no step runs", "err", err)
		return rep, r.unrecorded(job, rep.Unrecorded)
	}
	// recordStep writes a step's row; what cannot be written makes the
	// run fail (a full store is a failed run, docs/operations.md).
	recordStep := func(seq int, res StepResult) {
		if err := r.record(context.WithoutCancel(ctx), rep, seq, res); err != nil {
			rep.Unrecorded = append(rep.Unrecorded, fmt.Sprintf("step %s %s: %v", res.Name, res.Status, err))
			log.Error("could not record step; the run will end failed", "step", res.Name, "status", res.Status, "err", err)
		}
	}
	stepCtx, endSteps := stepContext(ctx)
	defer endSteps()
	var runErr error
	var degraded []error
	required := false
	var stopped error // why the run was stopped before its end
	for i, st := range steps {
		res := StepResult{Name: st.Name, Required: st.Required, Started: r.now()}
		if stopped == nil && runErr == nil && ctx.Err() != nil {
			stopped = fmt.Errorf("%w: %s stopped before step %s (%v)", ErrInterrupted, job, st.Name, context.Cause(ctx))
			log.Warn("run stopped", "before_step", st.Name, "cause", context.Cause(ctx))
		}
		if runErr != nil || stopped != nil {
			res.Status, res.Finished = StatusSkipped, res.Started
			if runErr == nil {
				res.Error = "not run: the run was stopped"
			} else {
				res.Error = "not run: an earlier required step failed"
			}
			rep.Steps = append(rep.Steps, res)
			recordStep(i+1, res)
			continue
		}
		res.Status = StatusRunning
		recordStep(i+1, res)
		log.Info("step started", "step", st.Name)
		r.Metrics.stepRunning(job, st.Name)
		out, err, panicked := runStep(stepCtx, st)
		r.Metrics.stepRunning(job, "")
		res.Finished, res.Counts, res.Summary, res.Detail = r.now(), out.Counts, out.Summary, out.Detail
		var de *DegradedError
		switch {
		case panicked:
			res.Status, res.Error = StatusPanicked, err.Error()
		case err != nil && stepCtx.Err() != nil:
			// Cancelled by the stop (a second signal, its deadline), or
			// failing because of it: the step was cut short, not wrong.
			res.Status, res.Error = StatusInterrupted, err.Error()
			stopped = fmt.Errorf("%w: %s cancelled during step %s (%v)", ErrInterrupted, job, st.Name, context.Cause(stepCtx))
			log.Warn("step interrupted", "step", st.Name, "err", err)
			rep.Steps = append(rep.Steps, res)
			recordStep(i+1, res)
			continue
		case errors.As(err, &de):
			res.Status, res.Error = StatusDegraded, err.Error()
			degraded = append(degraded, fmt.Errorf("%s: %w", st.Name, err))
			required = required || de.Required
			log.Warn("step degraded", "step", st.Name, "required_input", de.Required, "err", err)
			rep.Steps = append(rep.Steps, res)
			recordStep(i+1, res)
			continue
		case err != nil:
			res.Status, res.Error = StatusFailed, err.Error()
		default:
			res.Status = StatusOK
		}
		if err != nil {
			log.Error("step failed", "step", st.Name, "required", st.Required, "err", err)
			if st.Required {
				runErr = fmt.Errorf("%w: %s: %v", ErrStepFailed, st.Name, err)
			}
		} else {
			log.Info("step finished", "step", st.Name, "seconds", res.Finished.Sub(res.Started).Seconds(), "counts", res.Counts)
		}
		rep.Steps = append(rep.Steps, res)
		recordStep(i+1, res)
	}
	rep.Finished = r.now()
	rep.Status = StatusOK
	switch {
	case runErr != nil:
		rep.Status = StatusFailed
	case len(degraded) > 0:
		// Later steps ran on the last good data, but the run must not
		// read as ok: an alert on the job is how anyone learns of it.
		rep.Status = StatusDegraded
		if required {
			rep.Status = StatusFailed
		}
		runErr = fmt.Errorf("%w: %w", ErrDegraded, errors.Join(append(degraded, stopped)...))
	case stopped != nil:
		rep.Status, runErr = StatusInterrupted, stopped
	case len(rep.Failed()) > 0:
		rep.Status = "ok_with_errors"
	}
	if len(rep.Unrecorded) > 0 {
		rep.Status, runErr = StatusFailed, errors.Join(runErr, r.unrecorded(job, rep.Unrecorded))
	}
	total := map[string]int64{"steps": int64(len(steps)), "failed": int64(len(rep.Failed()))}
	if err := r.record(context.WithoutCancel(ctx), rep, 0, StepResult{Status: rep.Status, Started: rep.Started, Finished: rep.Finished, Counts: total, Error: errText(runErr)}); err != nil {
		log.Error("could not record the run's end; the run ends failed", "status", rep.Status, "err", err)
		first := len(rep.Unrecorded) == 0
		rep.Unrecorded = append(rep.Unrecorded, fmt.Sprintf("the run's end (%s): %v", rep.Status, err))
		rep.Status = StatusFailed
		if first {
			runErr = errors.Join(runErr, r.unrecorded(job, rep.Unrecorded))
		} else {
			runErr = fmt.Errorf("%w; nor the run's end: %w", runErr, err)
		}
	}
	return rep, runErr
}

// unrecorded is the error of a run parts of which could not be recorded.
func (r *Runner) unrecorded(job string, what []string) error {
	return fmt.Errorf("%w: %s: could not record %s (status shows what was recorded; free the store's disk, or see why it refuses writes)",
		ErrNotRecorded, job, strings.Join(what, "; "))
}

// NotStarted records a run of job that failed before its first step
// could start: one step, named for what failed (lock, open, lease), with
// err. The record is best effort, since the store may be what failed
// (nil: none to record in); the report says the truth either way.
func (r *Runner) NotStarted(ctx context.Context, job, step string, err error) Report {
	host, _ := os.Hostname()
	now := r.now()
	rep := Report{RunID: NewRunID(now), Job: job, Host: host, Status: StatusFailed, Started: now, Finished: now,
		Steps: []StepResult{{Name: step, Required: true, Status: StatusFailed, Started: now, Finished: now, Error: err.Error()}}}
	r.Log.Error("run could not start", "job", job, "run", rep.RunID, "step", step, "err", err)
	if r.Store == nil {
		return rep
	}
	ctx = context.WithoutCancel(ctx)
	total := map[string]int64{"steps": 1, "failed": 1}
	rerr := errors.Join(r.record(ctx, rep, 0, StepResult{Status: StatusFailed, Started: now, Finished: now, Counts: total, Error: err.Error()}),
		r.record(ctx, rep, 1, rep.Steps[0]))
	if rerr != nil {
		r.Log.Error("could not record run", "job", job, "run", rep.RunID, "err", rerr)
	}
	return rep
}

// runStep runs one step, turning a panic into an error with its stack.
func runStep(ctx context.Context, st Step) (out Outcome, err error, panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			panicked = true
		}
	}()
	out, err = st.Run(ctx)
	return out, err, false
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (r *Runner) record(ctx context.Context, rep Report, seq int, res StepResult) error {
	keys := make([]string, 0, len(res.Counts))
	for k := range res.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]int64, len(keys))
	for i, k := range keys {
		vals[i] = res.Counts[k]
	}
	var finished any
	if !res.Finished.IsZero() {
		finished = res.Finished
	}
	return r.Store.Exec(ctx, sql.MustQuery(sql.Target{Cluster: r.Store.Cluster()}, "jobs/record_step"), store.Params{
		"run_id": rep.RunID, "job": rep.Job, "step": res.Name, "seq": uint16(seq), "required": res.Required,
		"status": res.Status, "started_at": res.Started, "finished_at": finished,
		"count_keys": keys, "count_values": vals, "summary": res.Summary, "error": res.Error, "host": rep.Host,
	})
}

// NewRunID returns a sortable, unique run id.
func NewRunID(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
