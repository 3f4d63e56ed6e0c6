package file

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// The quote state agrees with encoding/csv (LazyQuotes), the reader the
// Go path uses, on random texts of the characters that matter: a text
// ends inside a quoted value exactly when a line "Z" appended to it is
// read into that value instead of as a record of its own.
func TestQuoteStateAgreesWithEncodingCSV(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", ",", `"`, "\n", "\r", "中", " ", "\t"}
	for range 200_000 {
		var b strings.Builder
		for range r.IntN(14) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		text := b.String()
		q := newQuoteState(',')
		mended := q.feed(nil, []byte(text))
		open := q.state == inQuoted
		mended = q.feed(mended, []byte("\nZ"))
		cr := csv.NewReader(strings.NewReader(string(mended)))
		cr.FieldsPerRecord, cr.LazyQuotes = -1, true
		records, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		last := records[len(records)-1]
		if swallowed := !slices.Equal(last, []string{"Z"}); swallowed != open {
			t.Fatalf("%q: quote state open %v, encoding/csv reads the next line into a value: %v (%q)", text, open, swallowed, records)
		}
	}
}

// Spaces and tabs between a closing quote and the delimiter or the
// line's end go, as the engine reads them: encoding/csv took the quote for
// a character and read the next record into the value. Elsewhere the text
// passes unchanged.
func TestSpacesAfterAClosingQuote(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"x,\"甲公司\" ,2020\ny,\"乙\",2021\n", "[x 甲公司 2020] [y 乙 2021]"},
		{"x,\"甲\" \t ,2020\ny,乙,2021\n", "[x 甲 2020] [y 乙 2021]"},
		{"x,\"甲\"  \ny,乙\n", "[x 甲] [y 乙]"},
		{"x,\"甲\" \r\ny,乙\r\n", "[x 甲] [y 乙]"},
		{"x,\"甲\"   ", "[x 甲]"},
		{"x,\"甲\"\"\" ,2020\n", "[x 甲\" 2020]"},
		{"x, \"甲\" ,2020\n", "[x  \"甲\"  2020]"},                     // not quoted: a space first
		{"x,\"甲 \" 乙\",2020\n", "[x 甲 \" 乙 2020]"},                   // a quote then text: a character, as before
		{"x,甲 ,2020\n", "[x 甲  2020]"},                               // unquoted spaces stay
		{"x,\"a\nb\" ,2020\ny,c,2021\n", "[x a\nb 2020] [y c 2021]"}, // over two lines
	} {
		for _, size := range []int{1, 2, 3, 64 << 10} {
			r := csv.NewReader(&quoteWatch{r: iotest.OneByteReader(strings.NewReader(c.text)), q: newQuoteState(',')})
			if size > 1 {
				r = csv.NewReader(&quoteWatch{r: bufio.NewReaderSize(strings.NewReader(c.text), max(16, size)), q: newQuoteState(',')})
			}
			r.FieldsPerRecord, r.LazyQuotes = -1, true
			records, err := r.ReadAll()
			var got []string
			for _, rec := range records {
				got = append(got, fmt.Sprint(rec))
			}
			if err != nil || strings.Join(got, " ") != c.want {
				t.Errorf("%q (reads of %d): %q, %v; want %s", c.text, size, got, err, c.want)
			}
		}
	}
}

func TestUnclosedQuoteNamesItsLine(t *testing.T) {
	for _, c := range []struct {
		text string
		line int // 0: no error
	}{
		{"a,b\n1,2\n", 0},
		{"a,b\n1,\"2\n3,4\n", 2},
		{"a,b\n1,\"x\ny\"\n3,\"4\n5,6\n", 4},
		{"a,b\n1,\"2", 0}, // open on the last line only: nothing after it is lost
		// … and so with the last line's line break, or blank lines after
		// it (they were refused: the value took in a line break).
		{"a,b\n1,\"x\ny\"\n3,\"4\n", 0},
		{"a,b\n1,\"2\r\n", 0},
		{"a,b\n1,\"x\"\"\n\n", 0},
		{"a,b\n1,\"x\"\"\n\n3,4\n", 2},   // "" is a quote inside the value, which goes on
		{"a,b\n1,x\"y\n3,4\n", 0},        // a bare quote inside a value
		{"a,b\r\n1,\"2\"\r\n3,4\r\n", 0}, // CRLF
		{"a,b\n1,\"2\"\r3\n4,5\n", 2},    // a CR not before LF: the quote was a character
		{"a,b\n1,\"2\"\r3\n", 0},         // … on the last line
	} {
		err := unclosedQuote(strings.NewReader(c.text), ',')
		switch {
		case c.line == 0 && err != nil:
			t.Errorf("%q: %v", c.text, err)
		case c.line > 0 && (!errors.Is(err, ErrUnclosedQuote) || !strings.HasPrefix(err.Error(), "line "+strconv.Itoa(c.line)+":")):
			t.Errorf("%q: %v, want line %d", c.text, err, c.line)
		}
	}
}

// A quoted value whose closing quote is followed by text ("黑中介"行为)
// runs on to the next quote before a comma or a line break: when that is
// on a later line, the lines between would be part of the value, their
// records lost without a word. Such a file is refused, naming the line;
// on one line the value is read as encoding/csv reads it.
func TestStrayQuoteTakingInLines(t *testing.T) {
	for _, c := range []struct {
		text string
		line int // 0: no error
	}{
		{"a,b\n1,\"黑中介\"行为\n2,情况说明\n3,\"虚假招聘\"\n4,无\n", 2},
		{"a,b\n1,\"x\" y\n2,\"z\"\n", 2},
		{"a,b\n1,\"黑中介\"行为\n2,情况说明\n", 2},    // no later quote: it would run to the end
		{"a,b\n1,\"黑中介\"行为,x\n2,\"y\"\n", 2}, // a comma does not end it either
		{"a,b\n1,\"黑中介\"行为\"\n2,情况说明\n", 0},  // on one line: read as encoding/csv does
		{"a,b\n1,\"x\"\"y\"\n2,\"z\"\n", 0},  // "" inside: no stray quote
		{"a,b\n1,\"x\ny\" ,z\n", 0},          // over two lines, then spaces before the comma
		// On the last line nothing is taken in, with or without its
		// line break (it was refused with one).
		{"a,b\n1,x\n2,\"黑中介\"行为\n", 0},
		{"a,b\n1,x\n2,\"黑中介\"行为\r\n\n", 0},
		{"a,b\n1,x\n2,\"黑中介\"行为", 0},
		{"a,b\n1,\"a\nb\"c\"d\ne,f\n", 3}, // a stray quote on the value's second line
		{"a,b\n1,\"a\nb\"c d\"\n2,3\n", 0},
	} {
		err := unclosedQuote(strings.NewReader(c.text), ',')
		switch {
		case c.line == 0 && err != nil:
			t.Errorf("%q: %v", c.text, err)
		case c.line > 0 && (!errors.Is(err, ErrStrayQuote) || !strings.HasPrefix(err.Error(), "line "+strconv.Itoa(c.line)+":")):
			t.Errorf("%q: %v, want line %d", c.text, err, c.line)
		}
	}
}

func TestCRLines(t *testing.T) {
	for _, c := range []struct {
		text string
		cr   bool
	}{
		{"a,b\r1,2\r", true},
		{"a,b\r\n1,2\r\n", false},
		{"a,b\n1,2\n", false},
		{"a,b", false},
		{"a,b\r", true},
		{"\"x\ry\"\n", true}, // a CR first, whatever it is: read as a line break
	} {
		got, err := crLines(bufio.NewReaderSize(strings.NewReader(c.text), 16))
		if err != nil || got != c.cr {
			t.Errorf("%q: %v, %v; want %v", c.text, got, err, c.cr)
		}
	}
	// A line longer than the buffer, cut between CR and LF, is not a CR
	// line: the buffer cannot tell.
	long := strings.Repeat("x", 15) + "\r\n"
	if got, _ := crLines(bufio.NewReaderSize(strings.NewReader(long), 16)); got {
		t.Errorf("a CRLF cut by the buffer taken for a CR line end")
	}
}

func TestTabSeparated(t *testing.T) {
	for _, tt := range []struct {
		head  string
		utf16 bool
		want  bool
	}{
		{"机构名称\t统一社会信用代码\n许昌甲\t91411002MA00000011\n", false, true},
		{"名册\n\n机构名称\t统一社会信用代码\n", false, true},                         // a title line above
		{"机构名称,统一社会信用代码\n\"许昌\t甲\",91411002MA00000011\n", false, false}, // a tab in a value
		{"机构名称\t情况说明\n许昌甲\t罚款,警告\n", false, false},                      // an ASCII comma: CSV, as written
		{"机构名称\t情况说明\n许昌甲\t罚款，警告\n", false, true},                       // a Chinese comma is text
		{"许昌市人力资源服务机构名册\n", false, false},
		{"a\tb\r\n1\t2\r\n", true, true},
		{"ab\r\n1\t2\r\n", true, false},
	} {
		if got := tabSeparated([]byte(tt.head), tt.utf16); got != tt.want {
			t.Errorf("%q (UTF-16 %v): tab-separated %v, want %v", tt.head, tt.utf16, got, tt.want)
		}
	}
}
