package contract_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// pool is what the generator draws a column's values from: canonical
// ones and near misses of every kind.
func pool(r *rand.Rand, c contract.Column) []string {
	code := func(div string) string {
		first := fmt.Sprintf("91%s%09d", div, r.IntN(1e9))
		ch, _ := transform.USCCCheckChar(first)
		return first + string(ch)
	}
	switch c.Kind {
	case contract.USCC:
		good := code("411002")
		return []string{good, code("411023"), code("4110AB"), code("110105"), strings.ToLower(good), " " + good, good[:17] + "0", good[:17] + "Z", good[:17], "", "9E12345678901234567", "9.14403E+17", "９１４１１００２", `="` + good + `"`, "'" + good}
	case contract.Date:
		return []string{"2023-07-31", "2000-02-29", "2100-12-31", "2101-01-01", "1970-01-01", "1969-12-31", "1900-01-01", "2023-02-29", "2023-13-01", "2023-00-10", "2023-7-31", "2023年7月31日", "20230731", "", " 2023-07-31", "2023-07-31 0:00", "２０２３-07-31", `="2023-07-31"`}
	case contract.Bool:
		return []string{"true", "false", "1", "0", "t", "f", "yes", "no", "y", "n", "是", "否", "TRUE", "Y", "", " 1", "2"}
	case contract.Year:
		// The first is the year before the dates' first, whose report it
		// may be (a report is submitted after its year).
		return []string{"2022", "2023", "1990", "2100", "1989", "2101", "0999", "2023年", "2023年度", "", " 2023", "２０２３", "20x3"}
	case contract.Enum:
		var out []string
		for k, v := range c.Values {
			out = append(out, k, v, strings.ToUpper(k), " "+k)
		}
		return append(out, "", "unknown")
	case contract.County:
		return []string{"411002", "411023", "411000", "110105", "41100", "4110021", "", "４１１００２", "abcdef", "411099", "411071", "411082"}
	}
	return []string{"许昌人力资源服务有限公司", "Xuchang HR", "xuchang hr", "abc [x]", "a{b}", "人力 资源", " 前", "后 ", "ＡＢＣ", "【魏都】", "（建安）", "(建安)", "", "x", "合计", "a\tb", "a\nb", "Ω", "ﬁ", "é", "e\u0301", "9.14403E+17", "1E5", "\u3000许昌", "许昌\uFEFF", "!~", "a'b", `a\b`, "《条例》第八条", "国函〔2016〕189号", "腾讯【深圳】 Co", "、。〃「」", "[A] {B} 〖c〗〘d〙〚e〛", `="许昌人力"`, `="a""b"`, `=""`, `="a"&"b"`, `=`, `"="`, "#N/A", "#REF!", "#3号", "'0001", "' 许昌", "'", strings.Repeat("a", contract.MaxValueLength), strings.Repeat("a", contract.MaxValueLength+1)}
}

// TestCanonicalAgreesWithParse draws records of every list and checks,
// on the engine, that each record Canonical accepts is one Parse accepts
// and stores as Canonical's values say.
func TestCanonicalAgreesWithParse(t *testing.T) {
	s := storetest.Open(t)
	for _, l := range contract.Lists() {
		t.Run(l.Name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(len(l.Name))))
			header := make([]string, len(l.Columns))
			fields := make([]string, len(l.Columns))
			for i, c := range l.Columns {
				header[i] = c.Key
				fields[i] = fmt.Sprintf("r[%d]", i+1)
			}
			m, err := l.Map(header)
			if err != nil {
				t.Fatal(err)
			}
			canon, ok := l.Canonical(func(key string) string {
				if fi := m.Field(key); fi >= 0 {
					return fields[fi]
				}
				return ""
			})
			if !ok {
				t.Fatalf("no SQL for %s", l.Name)
			}
			var records [][]string
			accepted := 0
			for range 3000 {
				rec := make([]string, len(l.Columns))
				for i, c := range l.Columns {
					p := pool(r, c)
					rec[i] = p[0]
					if r.IntN(4) == 0 {
						rec[i] = p[r.IntN(len(p))]
					}
				}
				records = append(records, rec)
			}
			values := make([]string, len(canon.Values))
			for i, v := range canon.Values {
				values[i] = fmt.Sprintf("ifNull(toString(%s), '<null>')", v)
			}
			for len(records) > 0 {
				n := min(len(records), 400)
				accepted += checkCanonical(t, s, m, l, canon, values, records[:n])
				records = records[n:]
			}
			// Most records are drawn canonical; the predicate must take
			// many of them, or it says nothing.
			if accepted < 3000/20 {
				t.Errorf("only %d of %d records canonical", accepted, 3000)
			}
		})
	}
}

func checkCanonical(t *testing.T, s store.Store, m *contract.Mapping, l *contract.List, canon contract.Canonical, values []string, records [][]string) (accepted int) {
	t.Helper()
	// The pool's values as long as a cell make long literals.
	q := fmt.Sprintf("SELECT %s, [%s] FROM (SELECT arrayJoin(%s) AS r, rowNumberInAllBlocks() AS n) ORDER BY n SETTINGS max_query_size = 67108864",
		canon.Where, strings.Join(values, ", "), literal(records))
	rows, err := s.Query(context.Background(), q, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for i := 0; rows.Next(); i++ {
		v := rows.Values()
		pass, _ := v[0].(bool)
		if n, ok := v[0].(uint64); ok {
			pass = n != 0
		}
		got, _ := v[1].([]any)
		row, errs := m.Parse(records[i])
		if !pass {
			continue
		}
		accepted++
		if len(errs) > 0 {
			t.Errorf("%q: canonical in SQL, rejected by Parse: %v", records[i], errs)
			continue
		}
		for j, k := range l.StoredColumns() {
			if want := goValue(row.Values[j]); got[j] != want {
				t.Errorf("%q: %s is %q in SQL, %q in Go", records[i], k, got[j], want)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return accepted
}

// goValue prints a Row value as the SQL above prints the stored one.
func goValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "<null>"
	case time.Time:
		return transform.FormatDate(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}

// literal writes records as an array of arrays in the query's text.
func literal(records [][]string) string {
	parts := make([]string, len(records))
	for i, rec := range records {
		parts[i] = transform.SQLStrings(rec)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// TestSQLValidUSCCAgreesWithGo compares the engine's check of a code with
// transform.ValidateUSCC both ways, on valid codes, every single-character
// change of some, random strings of the alphabet (one in 31 valid) and
// codes with bytes outside it.
func TestSQLValidUSCCAgreesWithGo(t *testing.T) {
	s := storetest.Open(t)
	r := rand.New(rand.NewPCG(7, 31))
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	randomCode := func() string {
		b := make([]byte, 18)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	var codes []string
	for range 200 {
		first := randomCode()[:17]
		ch, err := transform.USCCCheckChar(first)
		if err != nil {
			t.Fatal(err)
		}
		good := first + string(ch)
		// Past the 18th byte: a valid code with more after it.
		codes = append(codes, good, good+"0", good+" ", good+"许", good+"\x00")
		for pos := range 18 {
			for _, c := range []byte(alphabet + "IOSVZaz\x00\xff ") {
				b := []byte(good)
				b[pos] = c
				codes = append(codes, string(b))
			}
		}
	}
	for range 20000 {
		codes = append(codes, randomCode())
	}
	codes = append(codes, "", "91411002MA40000000", "９１４１１００２MA4000000", randomCode()[:17], randomCode()+"0", "许昌"+randomCode()[:12])
	valid := agreesWithGo(t, s, transform.SQLValidUSCC("c"), codes, func(code string) bool {
		return transform.ValidateUSCC(code) == nil
	})
	if valid < 800 {
		t.Errorf("only %d valid codes drawn: the test says little", valid)
	}
}

// TestSQLISODateAgreesWithGo compares the engine's check of an ISO date
// with what Parse stores as written (ParseDate reads it, FormatDate gives
// it back, a Date column holds it) both ways, on every day of some years
// at the edges of the range and near misses of many kinds.
func TestSQLISODateAgreesWithGo(t *testing.T) {
	s := storetest.Open(t)
	var dates []string
	for _, y := range []int{1899, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 2101, 2149} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				dates = append(dates, fmt.Sprintf("%04d-%02d-%02d", y, m, d))
			}
		}
	}
	dates = append(dates, "", "2023-7-31", "2023-07-1", "23-07-31", "2023/07/31", "2023.07.31", "20230731",
		" 2023-07-31", "2023-07-31 ", "2023-07-31T00:00", "2023-07-31 00:00:00", "２０２３-07-31", "2023年7月31日",
		"2023-07-31x", "x2023-07-31", "+2023-07-31", "2023-0a-31", "2023--07-31", "0000-00-00", "9999-12-31", "2023-07-31\n")
	accepted := agreesWithGo(t, s, "coalesce("+transform.SQLISODate("c")+", false)", dates, func(date string) bool {
		d, ok, err := transform.ParseDate(date)
		return ok && err == nil && d.Year() >= 1970 && transform.FormatDate(d) == date
	})
	if accepted < 1800 {
		t.Errorf("only %d dates canonical: the test says little", accepted)
	}
}

// agreesWithGo evaluates the SQL condition cond over c for every value
// and reports each value on which it disagrees with goOK; it returns how
// many values goOK accepts.
func agreesWithGo(t *testing.T, s store.Store, cond string, values []string, goOK func(string) bool) (accepted int) {
	t.Helper()
	for len(values) > 0 {
		n := min(len(values), 2000)
		q := fmt.Sprintf("SELECT %s FROM (SELECT arrayJoin(%s) AS c, rowNumberInAllBlocks() AS n) ORDER BY n",
			cond, transform.SQLStrings(values[:n]))
		rows, err := s.Query(context.Background(), q, nil)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for ; rows.Next(); i++ {
			var sqlOK bool
			switch v := rows.Values()[0].(type) {
			case bool:
				sqlOK = v
			case uint64:
				sqlOK = v != 0
			}
			ok := goOK(values[i])
			if sqlOK != ok {
				t.Errorf("%q: accepted in SQL %v, in Go %v", values[i], sqlOK, ok)
			}
			if ok {
				accepted++
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if i != n {
			t.Fatalf("%d results for %d values", i, n)
		}
		values = values[n:]
	}
	return accepted
}
