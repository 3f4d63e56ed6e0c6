package serve

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
)

// An institution that moved to 建安区 and was renamed after 魏都区 graded it
// stays on 魏都区's pages under the name it was graded with, the
// register's new name beside it (现名, register_name), found by either
// name; 建安区, which graded nothing of it, does not see it
// (docs/rules.md §4.9).
func TestMovedInstitutionStaysWithTheUnitThatGradedIt(t *testing.T) {
	ctx := context.Background()
	s, _, srv := evaluatedServer(t)
	l, err := contract.Lookup("institutions")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := file.Import(ctx, s, l, filepath.Join("testdata", "moved", "institutions.csv"), file.ImportOptions{}); err != nil || res.Rejected > 0 {
		t.Fatalf("import the move: %v %v", err, res.Rejects)
	}
	h := srv.Handler()
	const moved = "914403001922038216"
	page := get(t, h, "/institutions/"+moved, weiduToken)
	if page.status != 200 || !strings.Contains(page.body, "<h1>许昌守信人力资源有限公司 <span") || !strings.Contains(page.body, "现名 许昌改名人力资源有限公司") {
		t.Errorf("魏都区's page of the moved institution: %d\n%.600s", page.status, page.body)
	}
	for _, q := range []string{"守信", "改名"} {
		if found := get(t, h, "/search?q="+q, weiduToken); !strings.Contains(found.body, moved) {
			t.Errorf("魏都区's search for %s misses the moved institution", q)
		}
	}
	api := get(t, h, "/api/institutions/"+moved, weiduToken)
	var j struct{ Name, RegisterName, CountyCode string }
	if err := json.Unmarshal([]byte(api.body), &struct {
		Name         *string `json:"name"`
		RegisterName *string `json:"register_name"`
		CountyCode   *string `json:"county_code"`
	}{&j.Name, &j.RegisterName, &j.CountyCode}); err != nil || j.Name != "许昌守信人力资源有限公司" || j.RegisterName != "许昌改名人力资源有限公司" || j.CountyCode != "411002" {
		t.Errorf("API: %.400s", api.body)
	}
	if p := get(t, h, "/institutions/"+moved, jiananToken); p.status != 404 {
		t.Errorf("建安区's page of an institution it never graded: %d, want 404", p.status)
	}
}
