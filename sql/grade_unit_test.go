package sql_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// TestGradesKeepTheirUnitAndName: migration 0200 fills the evaluating
// unit and the name of the grades recorded before it from the register
// as it is (the best there is: the register keeps no history), a
// withdrawn county code read as its successor's, and leaves a grade of an
// institution no longer registered empty; run again it changes nothing.
// The views then show what is stored with each grade, not the register:
// a grade recorded before an institution moved and was renamed stays
// with the county that made it, under the name it was graded with.
func TestGradesKeepTheirUnitAndName(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	for _, q := range []string{
		`INSERT INTO institutions (uscc, name, name_key, county_code, license_status, version) VALUES
			('M1', '新名机构', '新名机构', '411024', 'valid', 1), ('O1', '丙机构', '丙机构', '411023', 'valid', 1)`,
		`INSERT INTO grade_runs (run_id, kind, year, as_of, started, finished, version) VALUES
			('E', 'evaluate', 2023, '2023-07-31', now64(3), now64(3), 1), ('R', 'regrade', 0, '2023-09-01', now64(3), now64(3), 1)`,
		// Rows as they were written before 0200: no unit, no name.
		`INSERT INTO grade_history (uscc, run_id, grade, clauses, evidence, status, valid_from, valid_until, recorded_at, version) VALUES
			('M1', 'E', 'C', [], '[]', 'confirmed', '2023-08-08', '2024-08-07', '2023-08-08 00:00:00', 5),
			('O1', 'E', 'A', [], '[]', 'confirmed', '2023-08-08', '2024-08-07', '2023-08-08 00:00:00', 5),
			('G1', 'E', 'B', [], '[]', 'confirmed', '2023-08-08', '2024-08-07', '2023-08-08 00:00:00', 5)`,
	} {
		if err := s.Exec(ctx, q, nil); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ms, err := sql.Migrations(sql.Target{})
	if err != nil {
		t.Fatal(err)
	}
	migrate := func() {
		t.Helper()
		for _, m := range ms {
			if m.Version != 200 {
				continue
			}
			for _, stmt := range m.Statements {
				if err := s.Exec(ctx, stmt, nil); err != nil {
					t.Fatalf("migration 0200: %v", err)
				}
			}
			return
		}
		t.Fatal("no migration 0200")
	}
	const stored = "SELECT uscc, county_code, name, toString(version) FROM grade_history FINAL ORDER BY uscc"
	filled := [][]string{{"G1", "", "", "5"}, {"M1", "411024", "新名机构", "6"}, {"O1", "411003", "丙机构", "6"}}
	migrate()
	if got := table(t, s, stored); !reflect.DeepEqual(got, filled) {
		t.Errorf("after 0200:\n%q\nwant\n%q", got, filled)
	}
	migrate()
	if got := table(t, s, stored); !reflect.DeepEqual(got, filled) {
		t.Errorf("0200 run twice:\n%q\nwant\n%q", got, filled)
	}

	// A grade recorded later keeps the register's county and name of its
	// day; the register changes after it.
	for _, q := range []string{
		`INSERT INTO grade_history (uscc, run_id, grade, clauses, evidence, status, valid_from, valid_until, recorded_at, version, county_code, name) VALUES
			('O1', 'R', 'D', [], '[]', 'confirmed', '2023-09-01', '2024-08-31', '2023-09-01 00:00:00', 7, '411002', '丙机构')`,
		`INSERT INTO institutions (uscc, name, name_key, county_code, license_status, version) VALUES ('O1', '丙新名', '丙新名', '411082', 'valid', 2)`,
	} {
		if err := s.Exec(ctx, q, nil); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, tt := range []struct {
		query string
		want  [][]string
	}{
		{"SELECT uscc, run_id, name, county_code, county_name FROM v_grade_history WHERE uscc = 'O1' ORDER BY run_id",
			[][]string{{"O1", "E", "丙机构", "411003", "建安区"}, {"O1", "R", "丙机构", "411002", "魏都区"}}},
		{"SELECT uscc, name, county_code, county_name, grade FROM v_grades_on(day = '2023-08-31') WHERE uscc = 'O1'",
			[][]string{{"O1", "丙机构", "411003", "建安区", "A"}}},
		{"SELECT uscc, county_code, from_grade, to_grade FROM v_grade_changes WHERE uscc = 'O1' ORDER BY changed_on",
			[][]string{{"O1", "411003", "NULL", "A"}, {"O1", "411002", "A", "D"}}},
	} {
		if got := table(t, s, tt.query); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n%q\nwant\n%q", tt.query, got, tt.want)
		}
	}
}
