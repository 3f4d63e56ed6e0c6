package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/redact"
)

// WriteSummary writes the run's report as JSON into dir/runs/, named by
// job and run id, and returns the path. Monitoring and people read it;
// the same report goes to the webhook.
func WriteSummary(dir string, rep Report) (string, error) {
	runs := filepath.Join(dir, "runs")
	if err := os.MkdirAll(runs, 0o755); err != nil {
		return "", fmt.Errorf("write run summary: %w", err)
	}
	path := filepath.Join(runs, rep.Job+"-"+rep.RunID+".json")
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return "", fmt.Errorf("write run summary: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return "", fmt.Errorf("write run summary: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("write run summary: %w", err)
	}
	return path, nil
}

// RedactURL is a webhook URL as it may be shown in logs, errors and
// status: chat robots carry their secret in it (DingTalk's access_token,
// WeCom's key, a sign, Feishu's and Slack's hook ids). It is redact.URL,
// the one way every URL of the configuration is shown, whether or not it
// parses.
func RedactURL(raw string) string { return redact.URL(raw) }

// CheckWebhookURL refuses a webhook URL no notification could be posted
// to — not absolute, not http or https, no host — so that it is found
// when the configuration is read, not by the first failure's alert, lost.
// The error shows the URL redacted.
func CheckWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("webhook URL %s does not parse: %v", RedactURL(raw), errors.Unwrap(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("webhook URL %s: want an http:// or https:// URL", RedactURL(raw))
	case u.Host == "":
		return fmt.Errorf("webhook URL %s has no host", RedactURL(raw))
	}
	return nil
}

// redactedError is err with the webhook URL in it redacted: net/http's
// errors (*url.Error) carry the whole URL.
func redactedError(err error, raw string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: RedactURL(ue.URL), Err: ue.Err}
	}
	if msg := err.Error(); strings.Contains(msg, raw) {
		return errors.New(strings.ReplaceAll(msg, raw, RedactURL(raw)))
	}
	return err
}

// Webhook posts run reports to a URL, retrying with backoff.
type Webhook struct {
	URL      string
	Attempts int           // default 4
	Backoff  time.Duration // first wait, doubled each retry; default 2s
	Client   *http.Client
	Log      *slog.Logger
}

// Notification is what the webhook receives.
type Notification struct {
	Event  string `json:"event"` // "failure" or "downgrades"
	Report Report `json:"report"`
	Text   string `json:"text"` // a short human summary, for chat bots
}

// Send posts n. 4xx answers other than 429 are not retried: the receiver
// refused the message and will refuse it again.
func (w *Webhook) Send(ctx context.Context, n Notification) error {
	if w == nil || w.URL == "" {
		return nil
	}
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	attempts, backoff := w.Attempts, w.Backoff
	if attempts <= 0 {
		attempts = 4
	}
	if backoff <= 0 {
		backoff = 2 * time.Second
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	var last error
	for i := range attempts {
		if i > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(backoff << (i - 1)):
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("webhook: %w", redactedError(err, w.URL))
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			last = redactedError(err, w.URL)
			if w.Log != nil {
				w.Log.Warn("webhook attempt failed", "attempt", i+1, "err", last)
			}
			continue
		}
		resp.Body.Close()
		switch {
		case resp.StatusCode < 300:
			return nil
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			last = fmt.Errorf("status %s", resp.Status)
		default:
			return fmt.Errorf("webhook refused the notification: %s", resp.Status)
		}
		if w.Log != nil {
			w.Log.Warn("webhook attempt failed", "attempt", i+1, "err", last)
		}
	}
	return fmt.Errorf("webhook %s: %d attempts failed, last: %w", RedactURL(w.URL), attempts, last)
}
