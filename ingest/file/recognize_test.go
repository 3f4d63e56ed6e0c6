package file

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
)

// header writes the Chinese names of a list's required columns.
func header(t *testing.T, name string) string {
	t.Helper()
	l, err := contract.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, k := range l.Required() {
		c, _ := l.Column(k)
		cols = append(cols, c.Chinese)
	}
	return strings.Join(cols, ",")
}

func TestRecognize(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	abnormal := header(t, "abnormal")
	for _, c := range []struct {
		path, want string // want "" for ErrUnrecognized
		also       string // what the error names
	}{
		{filepath.Join("testdata", "workbooks", "counties.xlsx"), "institutions", ""},
		{filepath.Join("testdata", "institutions", "title_note_signature.csv"), "institutions", ""},
		{write("penalties-2026.csv", header(t, "penalties")+"\n"), "penalties", ""},
		{write("经营异常名单.csv", abnormal+"\n"), "abnormal", ""},
		{write("dishonest.csv", abnormal+"\n"), "dishonest", ""},
		{write("list-a.csv", "严重失信主体名单（2026年7月）\n"+abnormal+"\n"), "dishonest", ""},
		{write("list-b.csv", abnormal+"\n"), "", "abnormal and dishonest"},
		{write("会议记录.csv", "日期,内容\n2026-07-01,开会\n"), "", "no sheet has a header"},
		{filepath.Join("testdata", "workbooks", "附件2-禹州市.xlsx"), "", "no sheet has a header"},
	} {
		l, err := Recognize(c.path)
		switch {
		case c.want != "" && (err != nil || l.Name != c.want):
			t.Errorf("%s: %v, %v; want %s", c.path, l, err, c.want)
		case c.want == "" && (!errors.Is(err, ErrUnrecognized) || !strings.Contains(err.Error(), c.also)):
			t.Errorf("%s: %v, want ErrUnrecognized naming %q", c.path, err, c.also)
		}
	}
}

// A file that cannot be read is refused for what is wrong with it, not
// as a file whose table belongs to no list.
func TestRecognizeUnreadable(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, text, want string
	}{
		{"penalties.csv", header(t, "penalties") + "\nJF-1,91411002MA00000011,\"未闭合\nJF-2,x\n", "line 2: a quoted value is never closed"},
		{"abnormal.csv", header(t, "abnormal") + "\n91411002MA00000011,许昌\xb9\xab\xcb\xbe,2026-07-01,原因\n", "GBK"},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Recognize(p)
		if err == nil || errors.Is(err, ErrUnrecognized) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want the read error naming %q", c.name, err, c.want)
		}
	}
}
