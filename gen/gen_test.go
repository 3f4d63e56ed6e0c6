package gen

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// tiny keeps the national proportions per institution, halved.
var tiny = Scale{Name: "tiny", Institutions: 200,
	Abnormal: 10_000, Penalties: 5_000, Dishonest: 1_000, PublicEval: 2_000, Inspections: 1_000, ReportYears: 5}

// A leap day: T − 1y is 2023-02-28, and the latest due report year
// (2022, due 2023-03-31) is inside the window.
var asOf = time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)

func generate(t *testing.T, sc Scale, seed int64) (store.Store, Stats) {
	t.Helper()
	s := storetest.OpenMigrated(t)
	st, err := Generate(context.Background(), s, sc, Options{Seed: seed, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

func count(t *testing.T, s store.Store, query string) int64 {
	t.Helper()
	n, err := store.Count(context.Background(), s, query, store.Params{"t": asOf})
	if err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	return n
}

func checksums(t *testing.T, s store.Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range Tables {
		// cityHash64(*) alone is NULL for a row with any NULL column, and
		// sum() skips NULLs: hash the row's text instead. The version is
		// the engine's clock at generation (see store.Version), so it is
		// left out: the data is what must be the same.
		out[table] = count(t, s, "SELECT toInt64(sum(cityHash64(toString(tuple(* EXCEPT version))))) FROM "+table)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	s, _ := generate(t, tiny, 7)
	first := checksums(t, s)
	for table, sum := range first {
		if sum == 0 {
			t.Errorf("%s: checksum 0", table)
		}
	}
	if _, err := Generate(context.Background(), s, tiny, Options{Seed: 7, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	if again := checksums(t, s); !equalMaps(first, again) {
		t.Errorf("same seed, different rows:\n%v\n%v", first, again)
	}
	if _, err := Generate(context.Background(), s, tiny, Options{Seed: 8, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	other := checksums(t, s)
	for _, table := range Tables {
		if other[table] == first[table] {
			t.Errorf("%s: seeds 7 and 8 give the same rows", table)
		}
	}
}

func equalMaps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestGenerate(t *testing.T) {
	s, st := generate(t, tiny, 1)
	ctx := context.Background()

	t.Run("Counts", func(t *testing.T) {
		want := map[string]int64{"institutions": tiny.Institutions, "inspections": tiny.Inspections, "penalties": tiny.Penalties,
			"abnormal": tiny.Abnormal, "dishonest": tiny.Dishonest, "public_eval": tiny.PublicEval}
		for _, ts := range st.Tables {
			// Read merged (final = 1): a key generated twice would count once.
			stored := count(t, s, "SELECT count() FROM "+ts.Table)
			if stored != ts.Rows {
				t.Errorf("%s: %d rows stored, %d reported", ts.Table, stored, ts.Rows)
			}
			if w, ok := want[ts.Table]; ok && stored != w {
				t.Errorf("%s: %d rows, scale says %d", ts.Table, stored, w)
			}
		}
		// Annual reports: most institutions file for most of the years.
		reports := count(t, s, "SELECT count() FROM annual_reports")
		if max := tiny.Institutions * int64(tiny.ReportYears); reports < max/2 || reports > max {
			t.Errorf("%d annual reports for %d institutions over %d years", reports, tiny.Institutions, tiny.ReportYears)
		}
		if n := count(t, s, "SELECT count() FROM import_batches WHERE source = 'gen'"); n != int64(len(Tables)) {
			t.Errorf("%d generated batches recorded, want %d", n, len(Tables))
		}
	})

	t.Run("EveryUSCCValid", func(t *testing.T) {
		all := `SELECT uscc FROM institutions UNION ALL SELECT uscc FROM inspections UNION ALL SELECT uscc FROM annual_reports
			UNION ALL SELECT uscc FROM penalties UNION ALL SELECT uscc FROM abnormal UNION ALL SELECT uscc FROM dishonest
			UNION ALL SELECT uscc FROM public_eval`
		// An independent, plain-string implementation of GB 32100-2015.
		bad := count(t, s, `
			WITH '0123456789ABCDEFGHJKLMNPQRTUWXY' AS alpha
			SELECT countIf(length(uscc) != 18 OR substring(uscc, 18, 1) != substring(alpha, 1 + (31 - arraySum(arrayMap((c, w) -> (position(alpha, c) - 1) * w,
				splitByString('', substring(uscc, 1, 17)), [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])) % 31) % 31, 1)
				OR NOT match(uscc, '^[0-9A-HJ-NP-RTUWXY]{18}$'))
			FROM (`+all+`) WHERE uscc != ''`)
		if bad != 0 {
			t.Errorf("%d rows with an invalid USCC", bad)
		}
		rows, err := s.Query(ctx, "SELECT DISTINCT uscc FROM ("+all+") WHERE uscc != '' ORDER BY cityHash64(uscc) LIMIT 3000", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var code string
			if err := rows.Scan(&code); err != nil {
				t.Fatal(err)
			}
			n++
			if err := transform.ValidateUSCC(code); err != nil {
				t.Error(err)
			}
			// The organisation code's own GB 11714 check character.
			if got, want := code[16], orgCheck(code[8:16]); got != want {
				t.Errorf("%s: organisation code check %c, want %c", code, got, want)
			}
		}
		if n < 1000 {
			t.Errorf("only %d distinct codes sampled", n)
		}
	})

	t.Run("IdentitiesConsistent", func(t *testing.T) {
		if n := count(t, s, "SELECT count() - uniqExact(uscc) FROM institutions"); n != 0 {
			t.Errorf("%d duplicate institution codes", n)
		}
		if n := count(t, s, "SELECT count() - uniqExact(name_key) FROM institutions"); n != 0 {
			t.Errorf("%d duplicate institution names", n)
		}
		// One code, one name, in every list: the four copies of the
		// enterprise identity in SQL agree.
		n := count(t, s, `SELECT count() FROM (
			SELECT uscc, uniqExact(name) AS names FROM (
				SELECT uscc, name FROM institutions UNION ALL SELECT uscc, name FROM penalties
				UNION ALL SELECT uscc, name FROM abnormal UNION ALL SELECT uscc, name FROM dishonest
				UNION ALL SELECT uscc, name FROM public_eval)
			WHERE uscc != '' GROUP BY uscc HAVING names > 1)`)
		if n != 0 {
			t.Errorf("%d codes carry different names in different lists", n)
		}
		// No enterprise is named like an institution.
		n = count(t, s, `SELECT count() FROM (SELECT uscc, name_key FROM abnormal UNION ALL SELECT uscc, name_key FROM penalties
				UNION ALL SELECT uscc, name_key FROM dishonest UNION ALL SELECT uscc, name_key FROM public_eval) AS e
			WHERE e.uscc != '' AND e.uscc NOT IN (SELECT uscc FROM institutions)
			  AND e.name_key IN (SELECT name_key FROM institutions)`)
		if n != 0 {
			t.Errorf("%d enterprise rows share an institution's name", n)
		}
		n = count(t, s, `SELECT count() FROM (SELECT uscc FROM inspections UNION ALL SELECT uscc FROM annual_reports)
			WHERE uscc NOT IN (SELECT uscc FROM institutions)`)
		if n != 0 {
			t.Errorf("%d internal records about unknown institutions", n)
		}
	})

	t.Run("NamesAsTheImporterKeysThem", func(t *testing.T) {
		rows, err := s.Query(ctx, `SELECT name, name_key FROM (SELECT name, name_key FROM institutions
			UNION ALL SELECT name, name_key FROM abnormal) ORDER BY cityHash64(name) LIMIT 5000`, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var name, key string
			if err := rows.Scan(&name, &key); err != nil {
				t.Fatal(err)
			}
			if transform.NormalizeText(name) != name {
				t.Errorf("name %q is not as the importer stores it", name)
			}
			if want := transform.NormalizeName(name); key != want {
				t.Errorf("name_key of %q = %q, want %q", name, key, want)
			}
		}
	})

	t.Run("MostExternalRowsAreAboutOthers", func(t *testing.T) {
		for _, table := range []string{"penalties", "abnormal", "dishonest", "public_eval"} {
			l := lists[table]
			total := count(t, s, "SELECT count() FROM "+table)
			inst := count(t, s, `SELECT countIf(uscc IN (SELECT uscc FROM institutions)
				OR (uscc = '' AND name_key IN (SELECT name_key FROM institutions))) FROM `+table)
			if want := tiny.institutionRows(l); inst != want {
				t.Errorf("%s: %d rows about institutions, want %d", table, inst, want)
			}
			if share := float64(total-inst) / float64(total); share < 0.75 || share >= 1 {
				t.Errorf("%s: %.1f%% of rows about other enterprises, want 75–100%%", table, 100*share)
			}
			nameOnly := count(t, s, "SELECT countIf(uscc = '') FROM "+table)
			if share := float64(nameOnly) / float64(total); share == 0 || share > 0.05 {
				t.Errorf("%s: %.1f%% rows without a USCC, want a few", table, 100*share)
			}
		}
	})

	t.Run("EveryClauseOccurs", func(t *testing.T) {
		for _, c := range clauseChecks {
			if n := count(t, s, clauseSQL(c.query)); n == 0 {
				t.Errorf("%s: no institution meets it\n%s", c.name, c.query)
			}
		}
	})

	t.Run("ImportChangesNothing", func(t *testing.T) {
		// Re-importing the generated rows through the file importer must
		// find every row valid and unchanged: the generator stores what
		// the loader would, row_hash included.
		dir := t.TempDir()
		for _, l := range contract.Lists() {
			path := filepath.Join(dir, l.Name+".csv")
			rows := exportCSV(t, s, l, path)
			res, err := file.Import(ctx, s, l, path, file.ImportOptions{})
			if err != nil {
				t.Fatalf("%s: %v", l.Name, err)
			}
			if res.Rejected != 0 || res.Loaded != 0 || res.Unchanged != rows {
				for _, r := range res.Rejects[:min(3, len(res.Rejects))] {
					t.Logf("%s line %d: %v %q", l.Name, r.Line, r.Errors[0], r.Fields)
				}
				t.Errorf("%s: importing %d generated rows: %d loaded, %d unchanged, %d rejected (%v)",
					l.Name, rows, res.Loaded, res.Unchanged, res.Rejected, res.ByReason)
			}
		}
	})
}

// exportCSV writes the contract columns of a list as the bureau would
// hand them in; public_eval's grade is given as published.
func exportCSV(t *testing.T, s store.Store, l *contract.List, path string) int64 {
	t.Helper()
	var cols []string
	for _, c := range l.Columns {
		if l.Name == "public_eval" && c.Key == "grade" {
			cols = append(cols, "grade_label AS grade")
			continue
		}
		cols = append(cols, c.Key)
	}
	rows, err := s.Query(context.Background(), "SELECT "+strings.Join(cols, ", ")+" FROM "+l.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := csv.NewWriter(f)
	header := make([]string, len(l.Columns))
	for i, c := range l.Columns {
		header[i] = c.Key
	}
	w.Write(header)
	var n int64
	for rows.Next() {
		rec := make([]string, 0, len(header))
		for _, v := range rows.Values() {
			switch x := v.(type) {
			case nil:
				rec = append(rec, "")
			case time.Time:
				rec = append(rec, x.Format(time.DateOnly))
			case bool:
				rec = append(rec, strconv.FormatBool(x))
			default:
				rec = append(rec, fmt.Sprint(x))
			}
		}
		w.Write(rec)
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return n
}

// clauseSQL wraps a condition on graded institutions at {t} (docs/rules.md
// §1–2) into a count.
func clauseSQL(cond string) string {
	return `WITH {t:Date} AS t, subtractYears(t, 1) AS ws,
		graded AS (SELECT uscc, name_key FROM institutions
			WHERE licensed_on <= t AND NOT (license_status = 'cancelled' AND ifNull(license_status_on <= t, true))),
		matched AS (SELECT e.uscc AS owner, d.* FROM dishonest AS d INNER JOIN graded AS e ON e.name_key = d.name_key WHERE d.uscc = '')
		SELECT count() FROM (` + cond + `)`
}

// clauseChecks are the triggering conditions of docs/rules.md §3, each a
// query listing the graded institutions (or records) meeting it, plus the
// near misses the scenarios plant at the edges.
var clauseChecks = []struct{ name, query string }{
	{"D1 major violation in window", `SELECT uscc FROM inspections WHERE kind = 'violation' AND severity = 'major' AND handled_on > ws AND handled_on <= t AND uscc IN (SELECT uscc FROM graded)`},
	{"D1 miss: major violation on T − 1y", `SELECT uscc FROM inspections WHERE kind = 'violation' AND severity = 'major' AND handled_on = ws`},
	{"D1 edge: major violation on T − 1y + 1", `SELECT uscc FROM inspections WHERE kind = 'violation' AND severity = 'major' AND handled_on = ws + 1`},
	{"D2 fund fraud in window", `SELECT uscc FROM inspections WHERE kind = 'fund_fraud' AND handled_on > ws AND handled_on <= t AND uscc IN (SELECT uscc FROM graded)`},
	{"D2 miss: fund fraud before window", `SELECT uscc FROM inspections WHERE kind = 'fund_fraud' AND handled_on <= ws`},
	{"D3 revoked", `SELECT uscc FROM institutions WHERE license_status = 'revoked' AND license_status_on <= t`},
	{"not graded: cancelled", `SELECT uscc FROM institutions WHERE license_status = 'cancelled' AND license_status_on <= t`},
	{"D4 latest evaluation D", `SELECT uscc FROM public_eval WHERE uscc IN (SELECT uscc FROM graded) AND evaluated_on <= t
		GROUP BY uscc HAVING argMax(grade, evaluated_on) = 'D'`},
	{"D4 miss: older D, better latest", `SELECT uscc FROM public_eval WHERE uscc IN (SELECT uscc FROM graded) AND evaluated_on <= t
		GROUP BY uscc HAVING argMax(grade, evaluated_on) != 'D' AND countIf(grade = 'D') > 0`},
	{"D4 by name", `SELECT name_key FROM public_eval WHERE uscc = '' AND grade = 'D' AND name_key IN (SELECT name_key FROM graded)`},
	{"D4 label 差", `SELECT uscc FROM public_eval WHERE grade = 'D' AND grade_label = '差'`},
	{"D5 listed dishonest", `SELECT uscc FROM dishonest WHERE listed_on <= t AND (removed_on IS NULL OR removed_on > t) AND uscc IN (SELECT uscc FROM graded)`},
	{"D5 by name", `SELECT owner FROM matched WHERE listed_on <= t AND (removed_on IS NULL OR removed_on > t)`},
	{"D5 miss: removed on T", `SELECT uscc FROM dishonest WHERE removed_on = t AND uscc IN (SELECT uscc FROM graded)`},
	{"C1 two violations in window", `SELECT uscc FROM inspections WHERE kind = 'violation' AND handled_on > ws AND handled_on <= t AND uscc IN (SELECT uscc FROM graded)
		GROUP BY uscc HAVING count() >= 2`},
	{"C2 serious violation in window", `SELECT uscc FROM inspections WHERE kind = 'violation' AND severity = 'serious' AND handled_on > ws AND handled_on <= t AND uscc IN (SELECT uscc FROM graded)`},
	{"C3 refused in window", `SELECT uscc FROM inspections WHERE refused AND handled_on > ws AND handled_on <= t AND uscc IN (SELECT uscc FROM graded)`},
	{"C3 refused earlier, still open", `SELECT uscc FROM inspections WHERE refused AND handled_on <= ws AND (rectified_on IS NULL OR rectified_on > t) AND uscc IN (SELECT uscc FROM graded)`},
	{"C3 miss: refused earlier, rectified", `SELECT uscc FROM inspections WHERE refused AND handled_on <= ws AND rectified_on <= t`},
	{"C4 lost contact a year or more", `SELECT uscc FROM institutions WHERE lost_contact_since <= ws AND uscc IN (SELECT uscc FROM graded)`},
	{"C4 edge: lost contact exactly T − 1y", `SELECT uscc FROM institutions WHERE lost_contact_since = ws`},
	{"C4 miss: lost contact within the year", `SELECT uscc FROM institutions WHERE lost_contact_since > ws`},
	{"C5 three latest due years unreported", `
		SELECT i.uscc FROM graded AS g INNER JOIN institutions AS i ON i.uscc = g.uscc
		WHERE if(t >= makeDate(toYear(t), 3, 31), toYear(t) - 1, toYear(t) - 2) - 2 >= toYear(i.licensed_on)
		  AND i.uscc NOT IN (SELECT uscc FROM annual_reports WHERE submitted_on <= t
			AND year >= if(t >= makeDate(toYear(t), 3, 31), toYear(t) - 1, toYear(t) - 2) - 2)`},
	{"C6 on the abnormal list", `SELECT uscc FROM abnormal WHERE listed_on <= t AND (removed_on IS NULL OR removed_on > t) AND uscc IN (SELECT uscc FROM graded)`},
	{"C6 by name", `SELECT name_key FROM abnormal WHERE uscc = '' AND listed_on <= t AND (removed_on IS NULL OR removed_on > t) AND name_key IN (SELECT name_key FROM graded)`},
	{"C6 miss: removed before T", `SELECT uscc FROM abnormal WHERE removed_on <= t AND uscc IN (SELECT uscc FROM graded)`},
	{"B1 no commitment", `SELECT uscc FROM institutions WHERE commitment_signed_on IS NULL AND uscc IN (SELECT uscc FROM graded)`},
	{"B1 commitment breach in window", `SELECT uscc FROM inspections WHERE kind = 'commitment_breach' AND handled_on > ws AND handled_on <= t AND uscc IN (SELECT uscc FROM graded)`},
	{"B2 minor or general violation in window", `SELECT uscc FROM inspections WHERE kind = 'violation' AND severity IN ('minor', 'general') AND handled_on > ws AND handled_on <= t AND uscc IN (SELECT uscc FROM graded)`},
	{"B3 compliance failure in window", `SELECT uscc FROM inspections WHERE kind = 'compliance_failure' AND handled_on > ws AND handled_on <= t AND uscc IN (SELECT uscc FROM graded)`},
	{"B3 latest due report late or missing", `
		WITH if(t >= makeDate(toYear(t), 3, 31), toYear(t) - 1, toYear(t) - 2) AS n, makeDate(n + 1, 3, 31) AS due
		SELECT i.uscc FROM graded AS g INNER JOIN institutions AS i ON i.uscc = g.uscc
		WHERE due > ws AND n >= toYear(i.licensed_on)
		  AND i.uscc NOT IN (SELECT uscc FROM annual_reports WHERE year = n AND submitted_on <= due)`},
	{"B3 latest due report filed late", `
		WITH if(t >= makeDate(toYear(t), 3, 31), toYear(t) - 1, toYear(t) - 2) AS n
		SELECT uscc FROM annual_reports WHERE year = n AND submitted_on > makeDate(n + 1, 3, 31) AND submitted_on <= t`},
	{"B4 false materials in window", `SELECT uscc FROM inspections WHERE kind = 'false_materials' AND handled_on > ws AND handled_on <= t AND uscc IN (SELECT uscc FROM graded)`},
	{"B5 conditions unmet in window", `SELECT uscc FROM inspections WHERE kind = 'conditions_unmet' AND handled_on > ws AND handled_on <= t AND uscc IN (SELECT uscc FROM graded)`},
	{"B6 penalty in window, still publicized", `SELECT uscc FROM penalties WHERE decided_on > ws AND decided_on <= t
		AND (publicity_ended_on IS NULL OR publicity_ended_on > t) AND uscc IN (SELECT uscc FROM graded)`},
	{"B6 by name", `SELECT name_key FROM penalties WHERE uscc = '' AND decided_on > ws AND decided_on <= t
		AND (publicity_ended_on IS NULL OR publicity_ended_on > t) AND name_key IN (SELECT name_key FROM graded)`},
	{"B6 miss: publicity ended on T", `SELECT uscc FROM penalties WHERE decided_on > ws AND publicity_ended_on = t AND uscc IN (SELECT uscc FROM graded)`},
	{"A: no record at all", `SELECT uscc FROM graded WHERE uscc NOT IN (SELECT uscc FROM inspections)
		AND uscc NOT IN (SELECT uscc FROM penalties) AND uscc NOT IN (SELECT uscc FROM abnormal)
		AND uscc NOT IN (SELECT uscc FROM dishonest)`},
}

func TestScales(t *testing.T) {
	names := ScaleNames()
	if !slices.Equal(names, []string{"city", "province", "national", "xl"}) {
		t.Errorf("ScaleNames() = %v", names)
	}
	for _, n := range names {
		sc := Scales[n]
		if err := sc.validate(); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		if sc.Name != n {
			t.Errorf("scale %s is named %q", n, sc.Name)
		}
		for _, l := range lists {
			if k := sc.institutionRows(l); k < scenarioRows || k*4 > l.rows(sc) {
				t.Errorf("%s %s: %d of %d rows about institutions", n, l.table, k, l.rows(sc))
			}
		}
	}
	if err := (Scale{Name: "small", Institutions: 49}).validate(); err == nil {
		t.Error("49 institutions accepted")
	}
}

func TestPlain(t *testing.T) {
	for _, n := range []int64{50, 99, 100, 130, 149, 150, 151, 1000, 1234} {
		var want int64
		for i := range n {
			if i%100 < scenarioFirst || i%100 > scenarioLast {
				want++
			}
		}
		if got := (Scale{Institutions: n}).plain(); got != want {
			t.Errorf("plain(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestNameParts(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range tradeChars {
		if len([]rune(c)) != 1 || seen[c] {
			t.Errorf("trade character %q is not a single new character", c)
		}
		seen[c] = true
		if strings.ContainsAny(c, "市县区省") {
			t.Errorf("trade character %q is a place word", c)
		}
	}
	var parts []string
	for _, v := range nameParams() {
		parts = append(parts, v.([]string)...)
	}
	for _, g := range []Region{Xuchang, Henan, China} {
		for _, v := range g.geography().params() {
			if ss, ok := v.([]string); ok {
				parts = append(parts, ss...)
			}
		}
	}
	for _, p := range parts {
		if norm.NFKC.String(p) != p || strings.ContainsAny(p, " \u3000") {
			t.Errorf("name part %q changes under the importer's normalisation", p)
		}
	}
	// Institution and enterprise suffixes never end one another, so names
	// of the two kinds never coincide.
	for _, a := range slices.Concat(hrSuffixes, publicSuffixes, nonProfitSuffixes) {
		for _, b := range slices.Concat(companySuffixes, shopSuffixes, coopSuffixes) {
			if strings.HasSuffix(a, b) || strings.HasSuffix(b, a) {
				t.Errorf("suffixes %q and %q overlap", a, b)
			}
		}
	}
}

// Every external list draws the other enterprises from the one shared
// block, so an enterprise has the same identity in every list.
func TestEnterpriseBlockShared(t *testing.T) {
	for _, table := range []string{"penalties", "abnormal", "dishonest", "public_eval"} {
		q := sql.MustQuery(sql.Target{}, "gen/"+table)
		if !strings.Contains(q, "-- About other enterprises. Identity as in every list: this block") {
			t.Errorf("%s does not include the shared enterprise block", table)
		}
	}
}

func TestCoprime(t *testing.T) {
	for _, m := range []uint64{1, 2, 3, 30, 240, 887_503_681, 6_000_000} {
		a := coprime(m, 12345)
		if gcd(a, m) != 1 {
			t.Errorf("coprime(%d) = %d", m, a)
		}
	}
}

// orgCheck is GB 11714's check character, written out for the test.
func orgCheck(code string) byte {
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 8 {
		c := code[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * w[i]
	}
	switch v := 11 - sum%11; v {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + v)
	}
}
