package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// access writes, for a ClickHouse server, one user per token with the
// same reach as on the daemon's endpoint, checked by the engine's parser,
// and never the token itself.
func TestAccessForAServer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const countyToken = "weidu-county-token-0123456789"
	cityHash := sha256.Sum256([]byte("city-token-not-in-the-config-0123"))
	config := filepath.Join(dir, "creditsync.toml")
	os.WriteFile(config, []byte(`[serve]
[[serve.tokens]]
name = "city bureau"
token_sha256 = "`+hex.EncodeToString(cityHash[:])+`"
scope = "city"

[[serve.tokens]]
name = "魏都区"
token_env = "CREDITSYNC_TOKEN_WEIDU"
scope = "411002"
`), 0o644)
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data"), "CREDITSYNC_CONFIG=" + config, "CREDITSYNC_TOKEN_WEIDU=" + countyToken}
	if r := runCLI(t, env, "init"); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	r := runCLI(t, env, "access")
	if r.code != 0 {
		t.Fatalf("access: exit %d\n%s", r.code, r.stderr)
	}
	countyHash := sha256.Sum256([]byte(countyToken))
	for _, want := range []string{
		"CREATE USER OR REPLACE `魏都区` IDENTIFIED WITH sha256_hash BY '" + hex.EncodeToString(countyHash[:]) + "';",
		"GRANT SELECT ON creditsync_county_411002.* TO `魏都区`;",
		"GRANT SELECT ON system.settings TO `魏都区`;",
		// The server lists only what the user has grants on.
		"GRANT SELECT ON system.tables TO `魏都区`;",
		"ALTER USER `魏都区` DEFAULT DATABASE creditsync_county_411002 SETTINGS PROFILE 'creditsync_analyst';",
		// Each county view lists its columns with their comments, as the
		// store defines them.
		"CREATE OR REPLACE VIEW creditsync_county_411002.`v_current_grades` (`uscc` String COMMENT '统一社会信用代码 USCC', ",
		") DEFINER = CURRENT_USER SQL SECURITY DEFINER AS SELECT * FROM creditsync.`v_current_grades` WHERE county_code = '411002' LIMIT 18446744073709551615;",
		"CREATE OR REPLACE VIEW creditsync_county_411002.`v_grades_on` DEFINER = CURRENT_USER SQL SECURITY DEFINER AS SELECT * FROM creditsync.`v_grades_on`(day = {day:Date}) WHERE county_code = '411002' LIMIT 18446744073709551615;",
		"CREATE OR REPLACE VIEW creditsync_county_411002.`counties` (`code` String COMMENT ",
		") DEFINER = CURRENT_USER SQL SECURITY DEFINER AS SELECT * REPLACE (CAST(`level` AS String) AS `level`) FROM creditsync.`counties` FINAL LIMIT 18446744073709551615;",
		"GRANT SELECT ON creditsync.* TO `city bureau`;",
		"GRANT SELECT ON creditsync_county_411081.* TO `city bureau`;",
		"CREATE SETTINGS PROFILE OR REPLACE creditsync_analyst SETTINGS readonly = 1 CONST",
		// Replaced rows read merged, as the daemon reads them; and
		// vectorscan off, as in the daemon's checked sessions.
		"final = 1 CONST, optimize_trivial_count_query = 0 CONST,",
		"allow_hyperscan = 0 CONST;",
		"FROM creditsync.`institutions` FINAL WHERE county_code = '411002' LIMIT 18446744073709551615;",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("access output lacks %q", want)
		}
	}
	for _, bad := range []string{countyToken, "GRANT SELECT ON creditsync.* TO `魏都区`", "creditsync_county_411081.* TO `魏都区`", "system.processes TO `魏都区`", "system.query_log TO `魏都区`", "creditsync_county_411081.`"} {
		if strings.Contains(r.stdout, bad) {
			t.Errorf("access output holds %q", bad)
		}
	}
	if r := runCLI(t, env, "access", "--apply"); r.code != exitUsage || !strings.Contains(r.stderr, "--clickhouse") {
		t.Errorf("access --apply on the embedded engine: exit %d %s", r.code, r.stderr)
	}
}

// A token named as a server user — ClickHouse's default, or the user
// creditsync connects as (the embedded engine's is default) — is refused:
// its CREATE USER OR REPLACE would have replaced that user.
func TestAccessRefusesAServerUsersName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hash := sha256.Sum256([]byte("city-token-not-in-the-config-0123"))
	config := filepath.Join(dir, "creditsync.toml")
	os.WriteFile(config, []byte(`[serve]
[[serve.tokens]]
name = "default"
token_sha256 = "`+hex.EncodeToString(hash[:])+`"
scope = "city"
`), 0o644)
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data"), "CREDITSYNC_CONFIG=" + config}
	if r := runCLI(t, env, "init"); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	r := runCLI(t, env, "access")
	if r.code == 0 || !strings.Contains(r.stderr, `token "default" ([[serve.tokens]] name)`) || !strings.Contains(r.stderr, "rename the token") || strings.Contains(r.stdout, "CREATE USER") {
		t.Errorf("access with a token named default: exit %d\nstderr %s\nstdout %.300s", r.code, r.stderr, r.stdout)
	}
}
