package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/serve"
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
	_, err := toml.DecodeFile(path, &cfg)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if err := checkConfig(path); err != nil {
		return cfg, err
	}
	if cfg.Notify.Webhook != "" && cfg.Notify.WebhookURLEnv != "" {
		return cfg, fmt.Errorf("config %s: [notify] sets both webhook and webhook_url_env; keep one (webhook_url_env when the URL holds a secret)", path)
	}
	// A webhook no alert can reach is found now, not by the first
	// failure, whose alert it would lose.
	if w := cfg.Notify.Webhook; w != "" {
		if err := jobs.CheckWebhookURL(w); err != nil {
			return cfg, fmt.Errorf("config %s: [notify] webhook: %w", path, err)
		}
	}
	if env := cfg.Notify.WebhookURLEnv; env != "" && os.Getenv(env) != "" {
		if err := jobs.CheckWebhookURL(os.Getenv(env)); err != nil {
			return cfg, fmt.Errorf("config %s: [notify] webhook_url_env: $%s: %w", path, env, err)
		}
	}
	return cfg, nil
}

// configFile is the whole of creditsync.toml, each table as its reader
// decodes it ([sync] and [[source]] the sync engine, [schedule] and
// [notify] the jobs, [serve] the web pages and the SQL endpoint,
// [publicity] the public list). checkConfig decodes the file into it
// once, so that a key none of them takes is found whichever command
// reads the file, in whichever table.
type configFile struct {
	Sync      listsync.Settings  `toml:"sync"`
	Source    []listsync.Source  `toml:"source"`
	Schedule  workflows.Schedule `toml:"schedule"`
	Notify    workflows.Notify   `toml:"notify"`
	Serve     serve.Config       `toml:"serve"`
	Publicity publicityConfig    `toml:"publicity"`
}

// configTables are the top-level tables of creditsync.toml.
var configTables = tomlKeys(reflect.TypeFor[configFile]())

// checkConfig reads the configuration file at path whole and refuses a
// key no part of creditsync takes, in any table — a misspelt key would
// otherwise be ignored and its default used without a word, or break a
// later sync — naming the file, each key with its line and the keys it
// may have meant; and a [publicity.counties] entry no county's list
// would print. Every reader of the file calls it first, and the
// daemon at its start, so they all refuse the same file the same way.
// A missing file is for the caller to judge.
func checkConfig(path string) error {
	text, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	var file configFile
	md, err := toml.Decode(string(text), &file)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	var unknown []string
	seen := map[string]bool{}
	for _, k := range md.Undecoded() {
		if len(k) == 0 || seen[k.String()] {
			continue
		}
		seen[k.String()] = true
		if len(k) == 1 && !slices.Contains(configTables, k[0]) {
			unknown = append(unknown, "["+k[0]+"]"+didYouMean(k[0], configTables))
			continue
		}
		if len(k) > 1 && seen[k[:len(k)-1].String()] {
			continue // inside a table already named unknown
		}
		name := k.String()
		if line := keyLine(string(text), k); line > 0 {
			name += fmt.Sprintf(" at line %d", line)
		}
		unknown = append(unknown, name+didYouMean(k[len(k)-1], tomlKeysAt(reflect.TypeFor[configFile](), k[:len(k)-1])))
	}
	if len(unknown) > 0 {
		return fmt.Errorf("config %s: unknown key(s) %s: misspelt, or not a key of creditsync.toml (its tables are [%s]; creditsync.example.toml shows every key)",
			path, strings.Join(unknown, ", "), strings.Join(configTables, "], ["))
	}
	// [publicity.counties] takes any key the TOML way: which are counties
	// is checked here, so every reader refuses a wrong code as it refuses
	// a misspelt key.
	if err := file.Publicity.check(string(text)); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// tomlKeys are the keys a struct type takes from TOML: its fields' toml
// tags, and those of an untagged embedded struct's, which the toml
// package promotes as encoding/json does.
func tomlKeys(t reflect.Type) []string {
	var keys []string
	if t.Kind() != reflect.Struct {
		return nil
	}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		switch {
		case name == "" && f.Anonymous:
			keys = append(keys, tomlKeys(f.Type)...)
		case name != "" && name != "-":
			keys = append(keys, name)
		}
	}
	return keys
}

// tomlKeysAt are the keys of the table at path inside t (an array of
// tables counts as its element, a table of a map its value's type);
// none when path leads nowhere or to a map, which takes any key.
func tomlKeysAt(t reflect.Type, path []string) []string {
	for _, part := range path {
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() == reflect.Map {
			t = t.Elem() // part is the map's key
			continue
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		found := false
		for f := range t.Fields() {
			if name, _, _ := strings.Cut(f.Tag.Get("toml"), ","); name == part {
				t, found = f.Type, true
				break
			}
		}
		if !found {
			return nil
		}
	}
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return tomlKeys(t)
}

// keyLine is the line of k in text: the first "[table]" or "[[table]]"
// header naming k whole, or "name =" with k's last part under its
// table's header; 0 when there is none (a key in an inline table).
func keyLine(text string, k toml.Key) int {
	table := ""
	parent := k[:len(k)-1].String()
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			header, _, _ := strings.Cut(line, "#")
			table = strings.Trim(strings.TrimSpace(header), "[] ")
			if table == k.String() {
				return i + 1
			}
			continue
		}
		if rest, ok := strings.CutPrefix(line, k[len(k)-1]); ok && table == parent && strings.HasPrefix(strings.TrimSpace(rest), "=") {
			return i + 1
		}
	}
	return 0
}

// didYouMean is " (did you mean x?)" with the keys near key — at most
// two edits away (a quarter of a long key), or one starting the other —
// or "" when none is.
func didYouMean(key string, keys []string) string {
	var near []string
	for _, k := range keys {
		if k == key {
			continue
		}
		if editDistance(key, k) <= max(2, len(key)/4) || (len(key) >= 4 && (strings.HasPrefix(k, key) || strings.HasPrefix(key, k))) {
			near = append(near, k)
		}
	}
	if len(near) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(near, " or ") + "?)"
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// loadSyncConfig reads the sources, after checking the whole file's keys.
func loadSyncConfig(path string) (listsync.Config, error) {
	if err := checkConfig(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		// A missing file: listsync says how to make one.
		return listsync.Config{}, err
	}
	return listsync.LoadConfig(path)
}

// warnSecretFiles warns of each source's token_file that every user of
// the host may read (mode o+r): the credential in it is as good as
// published there. A file of the service's group (0640) is the usual
// way to hand a secret to a service, and is fine.
func (a *app) warnSecretFiles(cfg listsync.Config) {
	for _, src := range cfg.Sources {
		if src.TokenFile == "" || src.TokenEnv != "" {
			continue
		}
		fi, err := os.Stat(src.TokenFile)
		if err != nil || fi.Mode().Perm()&0o004 == 0 {
			continue // a missing file fails the source's sync, saying so
		}
		a.log.Warn("a source's token_file is readable by every user of this host: chmod 600 it (or 640 for the service's group)",
			"source", src.Name, "file", src.TokenFile, "mode", fmt.Sprintf("%04o", fi.Mode().Perm()))
	}
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
