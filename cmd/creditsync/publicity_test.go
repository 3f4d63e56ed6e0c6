package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each bureau publishes its own results: report public prints under a
// county's list the county bureau's contact from [publicity.counties.CODE],
// as its own and with only what it gives; a county without one the city
// bureau's, named as the city's; the city's list the city's. Every
// county's list printed the city's. A code none of Xuchang's counties
// stops the command, naming the file and the key.
func TestPublicListContactPerCounty(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	config := func(county string) {
		t.Helper()
		text := "[sync]\nno_sources = true\n\n[publicity]\ncontact = \"王科长\"\nphone = \"0374-1234567\"\n\n" +
			"[publicity.counties." + county + "]\nphone = \"0374-7654321\"\n"
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	config("411002")
	env := []string{"CREDITSYNC_DATA=" + dir, "CREDITSYNC_CONFIG=" + cfg}
	register := filepath.Join(dir, "机构名录.csv")
	text := "uscc,name,county_code,licensed_on,commitment_signed_on\n" +
		"914403001922038216,许昌德信人力资源服务有限公司,411002,2020-01-01,2020-02-01\n" +
		"91440300708461136T,许昌建安人力资源有限公司,411003,2020-01-01,2020-02-01\n" +
		"9144030071526726XG,许昌市本级人力资源有限公司,411000,2020-01-01,2020-02-01\n"
	if err := os.WriteFile(register, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"import", "institutions", register},
		{"evaluate", "--year", "2026", "--as-of", "2026-07-31", "--publicize-from", "2026-08-03"},
	} {
		if r := runCLI(t, env, args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	const city = "联系人：王科长；联系电话：0374-1234567。"
	for _, tt := range []struct {
		unit string
		want string
		not  []string
	}{
		{"411002", "联系电话：0374-7654321。", []string{"王科长", "联系方式："}},
		{"411003", "许昌市人力资源和社会保障局联系方式：" + city, []string{"0374-7654321"}},
		{"411000", city, []string{"0374-7654321", "联系方式："}},
		{"city", city, []string{"0374-7654321", "联系方式："}},
	} {
		r := runCLI(t, env, "report", "public", tt.unit, "--date", "2026-08-03", "-o", "-", "--format", "html")
		if r.code != 0 || !strings.Contains(r.stdout, tt.want) {
			t.Errorf("public list of %s: exit %d, want %q\n%s", tt.unit, r.code, tt.want, r.stderr)
		}
		for _, not := range tt.not {
			if strings.Contains(r.stdout, not) {
				t.Errorf("public list of %s shows %q", tt.unit, not)
			}
		}
	}
	config("411099")
	r := runCLI(t, env, "report", "public", "411002", "--date", "2026-08-03", "-o", "-", "--format", "html")
	if r.code == 0 || !strings.Contains(r.stderr, "config "+cfg+": publicity.counties.411099 at line 8: not a county of Xuchang") {
		t.Errorf("a county code none of Xuchang's: exit %d\n%s", r.code, r.stderr)
	}
}
