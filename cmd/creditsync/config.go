package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/BurntSushi/toml"

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
	_ = md
	return cfg, nil
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
