package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/workflows"
	"github.com/xuchang-hrss/creditsync/zone"
)

// opsConfig is the part of creditsync.toml that drives unattended work:
// when jobs run and who is told about them. Sources have their own
// sections, read by the sync engine.
type opsConfig struct {
	Schedule workflows.Schedule `toml:"schedule"`
	Notify   workflows.Notify   `toml:"notify"`
}

func defaultOpsConfig() opsConfig {
	return opsConfig{Schedule: workflows.Schedule{
		Timezone:     zone.Name,
		Sync:         "0 1 * * *",
		Nightly:      "30 2 * * *",
		CountyReport: "0 7 * * 1",
		CityReport:   "0 7 1 * *",
		MetricsAddr:  "127.0.0.1:9464",
	}}
}

// loadOpsConfig reads path over the defaults; a missing file is fine
// unless it was named explicitly.
func loadOpsConfig(path string, explicit bool) (opsConfig, error) {
	cfg := defaultOpsConfig()
	if path == "" {
		return cfg, nil
	}
	md, err := toml.DecodeFile(path, &cfg)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if err := unknownKeys(path, md, "schedule", "notify"); err != nil {
		return cfg, err
	}
	if cfg.Notify.Webhook != "" && cfg.Notify.WebhookURLEnv != "" {
		return cfg, fmt.Errorf("config %s: [notify] sets both webhook and webhook_url_env; keep one (webhook_url_env when the URL holds a secret)", path)
	}
	return cfg, nil
}

// configTables are the top-level tables of creditsync.toml. Each part of
// creditsync reads its own ([sync] and [[source]] the sync engine,
// [schedule] and [notify] the jobs, [serve] the web pages and the SQL
// endpoint, [publicity] the public list), so a table none of them reads
// — a misspelt [[sources]] — would be ignored by all.
var configTables = []string{"sync", "source", "schedule", "notify", "serve", "publicity"}

// unknownKeys fails when md, decoded from path by the reader of the
// tables own, left keys of those tables undecoded (misspelt), or holds
// a top-level table no part of creditsync reads. Every reader reports
// the latter, whichever command runs.
func unknownKeys(path string, md toml.MetaData, own ...string) error {
	var unknown []string
	seen := map[string]bool{}
	for _, k := range md.Undecoded() {
		switch {
		case len(k) == 0:
		case slices.Contains(own, k[0]):
			unknown = append(unknown, k.String())
		case !slices.Contains(configTables, k[0]) && !seen[k[0]]:
			seen[k[0]] = true
			unknown = append(unknown, "["+k[0]+"]")
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return fmt.Errorf("config %s: unknown key(s) %s: misspelt, or not a key of creditsync.toml (its tables are [%s]; creditsync.example.toml shows every key)",
		path, strings.Join(unknown, ", "), strings.Join(configTables, "], ["))
}

// loadSyncConfig reads the sources (listsync checks their keys) and the
// file's top-level tables.
func loadSyncConfig(path string) (listsync.Config, error) {
	cfg, err := listsync.LoadConfig(path)
	if err != nil {
		return cfg, err
	}
	md, err := toml.DecodeFile(path, &struct{}{})
	if err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, unknownKeys(path, md)
}

// configPath is configPath with a command's --config first.
func (a *app) configPath() (string, bool) {
	if a.configFile != "" {
		return a.configFile, true
	}
	return configPath()
}

func configPath() (string, bool) {
	if p := os.Getenv("CREDITSYNC_CONFIG"); p != "" {
		return p, true
	}
	return "creditsync.toml", false
}
