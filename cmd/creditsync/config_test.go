package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every reader of creditsync.toml refuses a key it does not know in its
// own tables, and any table no part of creditsync reads: a misspelt key
// would otherwise be ignored, and its default used without a word.
func TestConfigKeysAreKnown(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "creditsync.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	readers := map[string]func(path string) error{
		"sync": func(path string) error { _, err := loadSyncConfig(path); return err },
		"jobs": func(path string) error { _, err := loadOpsConfig(path, true); return err },
		"serve": func(path string) error {
			t.Setenv("CREDITSYNC_CONFIG", path)
			_, err := loadServeConfig()
			return err
		},
		"publicity": func(path string) error { _, err := (&app{configFile: path}).publicContact(); return err },
	}
	write := func(text string) string {
		path := filepath.Join(t.TempDir(), "creditsync.toml")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for name, read := range readers {
		if err := read(write(string(example))); err != nil {
			t.Errorf("%s reads creditsync.example.toml: %v", name, err)
		}
	}
	for _, c := range []struct {
		name, from, to string
		refusedBy      []string // the readers that refuse it (the others ignore it)
		want           string
	}{
		{"a misspelt table", "[[source]]\nname = \"publicity-penalties\"", "[[sources]]\nname = \"publicity-penalties\"", []string{"sync", "jobs", "serve", "publicity"}, "[sources]"},
		{"a misspelt schedule key", "nightly = ", "nigthly = ", []string{"jobs"}, "schedule.nigthly"},
		{"a misspelt serve table", "[[serve.tokens]]\nname = \"city bureau\"", "[[serve.token]]\nname = \"city bureau\"", []string{"serve"}, "serve.token"},
		{"a misspelt notify key", "# webhook = ", "web_hook = ", []string{"jobs"}, "notify.web_hook"},
		{"a misspelt publicity key", "phone = ", "telephone = ", []string{"publicity"}, "publicity.telephone"},
	} {
		text := strings.Replace(string(example), c.from, c.to, 1)
		if text == string(example) {
			t.Fatalf("%s: %q is not in the example", c.name, c.from)
		}
		path := write(text)
		for name, read := range readers {
			err := read(path)
			refused := false
			for _, r := range c.refusedBy {
				refused = refused || r == name
			}
			switch {
			case refused && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("%s, read by %s: %v; want an error naming %s", c.name, name, err, c.want)
			case !refused && err != nil:
				t.Errorf("%s, read by %s: %v; not its table", c.name, name, err)
			}
		}
	}
}
