package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every reader of creditsync.toml refuses a key no part of creditsync
// takes, in any table, and any table none reads, the same way
// (checkConfig): a misspelt key would otherwise be ignored and its
// default used without a word — or, in a [[source]], break every sync
// of a daemon that had started "ready". The error names the key, its
// line and the keys it may have meant.
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
		"publicity": func(path string) error { _, err := (&app{configFile: path}).publicContacts(); return err },
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
		want           string
	}{
		{"a misspelt table", "[[source]]\nname = \"publicity-penalties\"", "[[sources]]\nname = \"publicity-penalties\"", "[sources] (did you mean source?)"},
		{"a misspelt source key", "retries = 4", "retires = 4", "source.retires at line {line} (did you mean retries?)"},
		{"a misspelt schedule key", "nightly = ", "nigthly = ", "schedule.nigthly"},
		{"a misspelt serve table", "[[serve.tokens]]\nname = \"city bureau\"", "[[serve.token]]\nname = \"city bureau\"", "serve.token at line {line} (did you mean tokens?)"},
		{"a misspelt serve key", "# trusted_proxies = ", "trusted_proxy = ", "serve.trusted_proxy at line {line} (did you mean trusted_proxies?)"},
		{"a token key misspelt", "token_env = \"CREDITSYNC_TOKEN_CITY\"", "token = \"CREDITSYNC_TOKEN_CITY\"", "serve.tokens.token at line {line} (did you mean token_env or token_sha256?)"},
		{"a misspelt notify key", "# webhook = ", "web_hook = ", "notify.web_hook"},
		{"a misspelt publicity key", "phone = ", "telephone = ", "publicity.telephone"},
		{"a misspelt county key", "phone = \"0374-0000002\"", "phone_number = \"0374-0000002\"", "publicity.counties.411002.phone_number at line {line} (did you mean phone?)"},
		{"a misspelt counties table", "[publicity.counties.411002]", "[publicity.county.411002]", "publicity.county"},
		{"a county code none of Xuchang's", "[publicity.counties.411002]", "[publicity.counties.411099]", "publicity.counties.411099 at line {line}: not a county of Xuchang: want one of 411002 魏都区, 411003 建安区"},
		{"the city's code as a county", "[publicity.counties.411002]", "[publicity.counties.411000]", "publicity.counties.411000 at line {line}: 411000 is the city bureau's own"},
		{"a withdrawn county code", "[publicity.counties.411002]", "[publicity.counties.411023]", "publicity.counties.411023 at line {line}: 411023 is a withdrawn code: its area is 411003 建安区's; write 411003"},
		{"a county entry giving nothing", "[publicity.counties.411002]\ncontact = \"魏都区人力资源和社会保障局人力资源市场股\"\nphone = \"0374-0000002\"", "[publicity.counties.411002]", "publicity.counties.411002 at line {line}: gives none of contact, phone, address, email"},
	} {
		text := strings.Replace(string(example), c.from, c.to, 1)
		if text == string(example) {
			t.Fatalf("%s: %q is not in the example", c.name, c.from)
		}
		// {line}: the line of the misspelt key, as the file now has it.
		line := strings.Count(text[:strings.Index(text, c.to)], "\n") + 1
		want := strings.ReplaceAll(c.want, "{line}", strconv.Itoa(line))
		path := write(text)
		for name, read := range readers {
			if err := read(path); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s, read by %s: %v; want an error naming %s and the file", c.name, name, err, want)
			}
		}
	}
}

// A webhook URL no notification can be posted to loaded without a word,
// and the first failure's alert was lost: it is refused when the
// configuration is read (the daemon's start, run, schedule), shown
// redacted. From webhook_url_env too, when the variable is set.
func TestWebhookURLCheckedAtLoad(t *testing.T) {
	tests := []struct {
		url  string
		want string // in the error; "" = accepted
	}{
		{"https://oapi.dingtalk.com/robot/send?access_token=URLPASS777", ""},
		{"http://127.0.0.1:9/hook", ""},
		{"ftp://u:URLPASS777@127.0.0.1/x", "webhook URL ftp://u@127.0.0.1/x: want an http:// or https:// URL"},
		{"127.0.0.1/URLPASS777", "webhook URL 127.0.0.1/REDACTED: want an http:// or https:// URL"},
		{"http://u:URLPASS777@[::1/x", "webhook URL http://u@[::1/REDACTED does not parse"},
		{"http:///URLPASS777", "webhook URL http:///REDACTED has no host"},
	}
	for _, tt := range tests {
		for _, how := range []string{"webhook", "webhook_url_env"} {
			text := "[notify]\nwebhook = \"" + tt.url + "\"\n"
			if how == "webhook_url_env" {
				t.Setenv("TEST_WEBHOOK_URL", tt.url)
				text = "[notify]\nwebhook_url_env = \"TEST_WEBHOOK_URL\"\n"
			}
			path := filepath.Join(t.TempDir(), "creditsync.toml")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := loadOpsConfig(path, true)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%s %s: %v", how, tt.url, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "URLPASS777")):
				t.Errorf("%s %s: %v; want an error with %q, the URL redacted", how, tt.url, err, tt.want)
			}
		}
	}
}
