// Package workflows holds creditsync's unattended work, the same for the
// command line and the daemon: the nightly pipeline (sync → match →
// regrade → confirm → expire → reports), the table of jobs that `run`
// and the schedule know, running a job (run lock, jobs lease, recording,
// summary, metrics, webhook), the reports written each day, the schedule
// itself and the demo. What each needs it is given in Deps; it never
// parses a command line, so the daemon calls it directly.
package workflows

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/store"
)

// Deps are what the workflows read besides their arguments. The zero
// value of each optional field is today's production behaviour.
type Deps struct {
	// Open opens the store a job runs on (RunJob); the job closes it.
	Open func(context.Context) (store.Store, error)
	// DataDir holds the run lock, the run summaries (DATA/runs) and the
	// day's reports (DATA/reports/DAY).
	DataDir string
	// ConfigFile is creditsync.toml, read for the sources to sync;
	// ConfigNamed when the user named it, so it must exist.
	ConfigFile  string
	ConfigNamed bool
	// Sync replaces ConfigFile's sources (the demo's fixture servers).
	Sync *listsync.Config
	// Rules grade; nil reads RulesFile at each run ("" = the built-in
	// 2023 Xuchang rules).
	Rules     *grade.Rules
	RulesFile string
	// Now is the clock; nil = time.Now.
	Now func() time.Time
	// On replays a missed night: regrade, confirm, expire and reports run
	// at this date instead of today (docs/rules.md §4.8). Zero = today.
	On time.Time
	// Reports is the directory for the nightly run's reports; "" =
	// DATA/reports/DAY.
	Reports string
	// Contacts are the bureaus' contacts printed under the public list.
	Contacts func() (report.PublicContacts, error)
	// Notify says who is told about runs that failed or downgraded.
	Notify Notify
	Log    *slog.Logger
	// Metrics receives runs and syncs; nil outside a daemon.
	Metrics *jobs.Metrics
	// Notices is where the person at the command line reads that the jobs
	// lease was waited for or taken over (standard error).
	Notices io.Writer
	// WaitForLease waits for the jobs lease instead of failing at once:
	// inside the daemon, which serves several users at once.
	WaitForLease bool
}

// Notify is the [notify] table of creditsync.toml.
type Notify struct {
	// Webhook receives a JSON POST on failures and on downgrades.
	Webhook string `toml:"webhook"`
	// WebhookURLEnv names an environment variable holding the webhook's
	// URL instead, for chat robots whose URL is their secret (DingTalk's
	// access_token, WeCom's key).
	WebhookURLEnv string `toml:"webhook_url_env"`
	// WebhookTokenEnv names an environment variable holding a bearer
	// token for the webhook, so the secret stays out of the file.
	WebhookTokenEnv string `toml:"webhook_token_env"`
}

func (d Deps) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

func (d Deps) contacts() (report.PublicContacts, error) {
	if d.Contacts == nil {
		return report.PublicContacts{}, nil
	}
	return d.Contacts()
}

func (d Deps) rules() (*grade.Rules, error) {
	if d.Rules != nil {
		return d.Rules, nil
	}
	return grade.Load(d.RulesFile)
}
