package sql_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// The block a list's migration includes to make v_list_records again
// must, over the four lists, make the view migration 0095 made by hand:
// the same columns, types and rows. Otherwise adding a list would change
// what the analysts see of the others.
func TestListRecordsBlockMakesTheView(t *testing.T) {
	s := storetest.OpenMigrated(t)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO institutions (uscc, name, name_key, county_code, license_status, version) VALUES
			('U1', '甲机构', '甲机构', '411023', 'valid', 1), ('U3', '同名', '同名', '411024', 'valid', 1), ('U4', '同名', '同名', '411025', 'valid', 1)`,
		`INSERT INTO abnormal (uscc, name, name_key, listed_on, reason, authority, removed_on, version) VALUES
			('', '甲机构', '甲机构', '2026-01-05', '无法联系', '局', NULL, 1), ('U1', '甲机构', '甲机构', '2025-02-01', '', '', '2025-06-01', 1),
			('', '同名', '同名', '2026-02-02', '', '', NULL, 1)`,
		`INSERT INTO dishonest (uscc, name, name_key, listed_on, reason, authority, version) VALUES ('U1', '甲机构', '甲机构', '2026-03-01', '欠薪', '法院', 1)`,
		`INSERT INTO penalties (record_id, uscc, name, name_key, decided_on, authority, content, publicity_ended_on, version) VALUES
			('P1', 'OTHER', '别家', '别家', '2026-01-01', '', '', NULL, 1), ('P2', '', '甲机构', '甲机构', '2025-05-01', '市局', '罚款', '2026-05-01', 1)`,
		`INSERT INTO public_eval (uscc, name, name_key, grade, grade_label, evaluated_on, version) VALUES
			('U1', '甲机构', '甲机构', 'B', '良', '2025-06-30', 1), ('', '同名', '同名', 'D', '差', '2025-06-30', 1)`,
	} {
		if err := s.Exec(ctx, q, nil); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	text, err := sql.RenderMigrationText(sql.Target{Cluster: s.Cluster()}, `{{template "list_records_view" (lists "penalties" "abnormal" "dishonest" "public_eval")}}`)
	if err != nil {
		t.Fatal(err)
	}
	stmts := sql.Split(text)
	if len(stmts) != 1 || !strings.Contains(stmts[0], "VIEW v_list_records ") {
		t.Fatalf("the block renders %d statements:\n%s", len(stmts), text)
	}
	if err := s.Exec(ctx, strings.Replace(stmts[0], "VIEW v_list_records ", "VIEW v_list_records_block ", 1), nil); err != nil {
		t.Fatalf("%v\n%s", err, stmts[0])
	}
	columns := "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = '%s' ORDER BY position"
	if got, want := table(t, s, strings.ReplaceAll(columns, "%s", "v_list_records_block")), table(t, s, strings.ReplaceAll(columns, "%s", "v_list_records")); !reflect.DeepEqual(got, want) {
		t.Errorf("columns of the block's view:\n%q\nof 0095's:\n%q", got, want)
	}
	rows := "SELECT * FROM %s ORDER BY list, record_key, loaded_at"
	got, want := table(t, s, strings.ReplaceAll(rows, "%s", "v_list_records_block")), table(t, s, strings.ReplaceAll(rows, "%s", "v_list_records"))
	if len(want) != 8 || !reflect.DeepEqual(got, want) {
		t.Errorf("rows of the block's view:\n%q\nof 0095's (want 8):\n%q", got, want)
	}
}
