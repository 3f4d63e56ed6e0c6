package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/sample"
)

// import DIR imports every file of a folder into the list its header
// names, registers first, each file its own batch, in one process; a file
// of no list is left out and named, and the command says so by its exit.
func TestImportAFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "received")
	files, _, err := sample.Write(in, sample.Options{Seed: 11, Institutions: 80, AsOf: time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(in, sample.BadInstitutionsFile))
	if err := os.WriteFile(filepath.Join(in, "会议记录.csv"), []byte("日期,内容\n2026-07-01,开会\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file that cannot be read is left out for what is wrong with it.
	if err := os.WriteFile(filepath.Join(in, "备忘.csv"), []byte("record_id,uscc\nX-1,\"未闭合\nX-2,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data")}
	if r := runCLI(t, env, "init"); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	r := runCLI(t, env, "import", in)
	if r.code != exitFailure || !strings.Contains(r.stderr, "left out: "+filepath.Join(in, "会议记录.csv")) ||
		!strings.Contains(r.stderr, "left out: "+filepath.Join(in, "备忘.csv")+": line 2: a quoted value is never closed") ||
		!strings.Contains(r.stderr, "2 file(s) left out: 1 whose tables belong to no list, or to several (import them with LIST=FILE); 1 that could not be read") {
		t.Fatalf("import DIR: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	first := -1
	for list, path := range files {
		line := path + " → " + list + ": "
		i := strings.Index(r.stdout, line)
		if i < 0 {
			t.Errorf("%s was not imported into %s:\n%s", path, list, r.stdout)
			continue
		}
		if list == "institutions" {
			first = i
		}
	}
	// The same as importing the files one by one.
	one := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "one-by-one")}
	runCLI(t, one, "init")
	for list, path := range files {
		if r := runCLI(t, one, "import", list, path); r.code != 0 {
			t.Fatalf("import %s %s: %d %s", list, path, r.code, r.stderr)
		}
		q := "SELECT count(), sum(cityHash64(row_hash)) FROM " + list // the contract columns, not the batch's
		if a, b := runCLI(t, env, "sql", "--format", "TSV", q).stdout, runCLI(t, one, "sql", "--format", "TSV", q).stdout; a != b || a == "" {
			t.Errorf("%s after import DIR: %q; one by one: %q", list, a, b)
		}
	}
	for list, path := range files {
		if i := strings.Index(r.stdout, path+" → "+list+": "); i >= 0 && list != "institutions" && i < first {
			t.Errorf("%s was imported before the register", list)
		}
	}

	// LIST=FILE names the list; the same files again change nothing.
	var args []string
	for list, path := range files {
		args = append(args, list+"="+path)
	}
	r = runCLI(t, env, append([]string{"import"}, args...)...)
	if r.code != 0 || strings.Count(r.stdout, ", 0 new or changed, ") != len(files) {
		t.Errorf("import LIST=FILE again: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, env, "import", "nosuchlist="+files["penalties"]); r.code != exitUsage {
		t.Errorf("an unknown list: exit %d, %s", r.code, r.stderr)
	}
}

// Each file of a folder is its own batch: one that fails loads nothing and
// is named, and the files after it are still imported. Two files of one
// list are imported oldest first, so a record in both stands as the newer
// file has it, whatever their names' order.
func TestImportAFolderGoesOnPastAFailedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "received")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	const header = "机构名称,统一社会信用代码,许可日期\n"
	write := func(name, text string, age time.Duration) string {
		p := filepath.Join(in, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		mod := time.Now().Add(-age)
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("机构名录.csv", header+"旧名称人力资源有限公司,91411002MA4000001T,2019-03-15\n", 2*time.Hour)
	write("机构名录(更新).csv", header+"新名称人力资源有限公司,91411002MA4000001T,2019-03-15\n", 0)
	// Text in another encoding past the lines the recognition reads.
	bad := write("补充名录.csv", header+strings.Repeat("补充人力资源有限公司,91411002MA4000002X,2020-05-06\n", 20000)+"\xc0\xee\xb2\xfd,91411002MA4000002X,2020-05-06\n", time.Hour)
	write("处罚.csv", "决定书文号,统一社会信用代码,企业名称,决定日期\n许人社罚〔2026〕1号,91411002MA4000001T,新名称人力资源有限公司,2026-03-02\n", time.Hour)
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data")}
	r := runCLI(t, env, "import", in)
	if r.code != exitFailure || !strings.Contains(r.stderr, "failed: ") || !strings.Contains(r.stderr, "1 file(s) failed and loaded nothing: "+bad) {
		t.Fatalf("import DIR: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, filepath.Join(in, "处罚.csv")+" → penalties: ") {
		t.Errorf("the file after the failed one was not imported:\n%s", r.stdout)
	}
	for q, want := range map[string]string{
		"SELECT name FROM institutions FINAL ORDER BY uscc": "name\n新名称人力资源有限公司\n",
		"SELECT count() FROM penalties":                     "count()\n1\n",
	} {
		if got := runCLI(t, env, "sql", "--format", "TSVWithNames", q).stdout; got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
}

// import LIST FILE FILE… goes on past a file that fails, as import DIR
// does, and names it: it stopped there, and the files after it were not
// imported without a word.
func TestImportFilesOfAListGoesOnPastAFailedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const header = "机构名称,统一社会信用代码,许可日期\n"
	bad := filepath.Join(dir, "坏 文件.csv")
	good := filepath.Join(dir, "c1.csv")
	if err := os.WriteFile(bad, []byte(header+"甲人力资源有限公司,91411002MA4000001T,2019-03-15\n\"未闭合,91411002MA4000002X,2019-03-15\n丙人力资源有限公司,91411002MA4000003Y,2019-03-15\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte(header+"乙人力资源有限公司,91411002MA4000002X,2020-05-06\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data")}
	r := runCLI(t, env, "import", "institutions", bad, good)
	if r.code != exitFailure || !strings.Contains(r.stderr, "1 file(s) failed and loaded nothing: "+bad) {
		t.Fatalf("import LIST FILE FILE: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := runCLI(t, env, "sql", "--format", "TSV", "SELECT name FROM institutions FINAL ORDER BY uscc").stdout; got != "乙人力资源有限公司\n" {
		t.Errorf("institutions: %q, want only the good file's", got)
	}
}

// Two files of one list that share their modification time (unpacked
// or copied together) were imported in their names' order, the second
// said to be "after the older": the licence state was decided by a file
// name. Neither is imported, each is named with the other, and the
// folder's other files are.
func TestImportAFolderLeavesOutFilesOfOneListChangedTogether(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "received")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	const header = "机构名称,统一社会信用代码,许可日期,许可状态,状态变更日期\n"
	same := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	files := map[string]string{
		"a机构名录.csv": header + "甲人力资源有限公司,91411002MA4000001T,2019-03-15,有效,\n",
		"b机构名录.csv": header + "甲人力资源有限公司,91411002MA4000001T,2019-03-15,注销,2026-01-01\n",
		"处罚.csv":    "决定书文号,统一社会信用代码,企业名称,决定日期\n许人社罚〔2026〕1号,91411002MA4000001T,甲人力资源有限公司,2026-03-02\n",
	}
	for name, text := range files {
		p := filepath.Join(in, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, same, same); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data")}
	r := runCLI(t, env, "import", in)
	a, b := filepath.Join(in, "a机构名录.csv"), filepath.Join(in, "b机构名录.csv")
	for _, want := range []string{
		"left out: " + a + ": same modification time as " + b + ", another file of list institutions",
		"left out: " + b + ": same modification time as " + a + ", another file of list institutions",
		"2 of one list changed at the same moment as another",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if r.code != exitFailure || strings.Contains(r.stderr, "imported after the older") {
		t.Fatalf("import DIR: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for q, want := range map[string]string{
		"SELECT count() FROM institutions": "count()\n0\n",
		"SELECT count() FROM penalties":    "count()\n1\n",
	} {
		if got := runCLI(t, env, "sql", "--format", "TSVWithNames", q).stdout; got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
}
