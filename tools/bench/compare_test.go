package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCompareGrades(t *testing.T) {
	dir := t.TempDir()
	creditsync := filepath.Join(dir, "creditsync.csv")
	pandas := filepath.Join(dir, "pandas.csv")
	// creditsync's columns (grade --format csv), pandas' in another order.
	os.WriteFile(creditsync, []byte("uscc,name,county_code,grade,clauses,evidence\n"+
		"A1,甲,411002,A,,\n"+
		"B2,乙,411002,C,C6;B1,\"C6: abnormal, …\"\n"+
		"C3,丙,411003,D,D5,D5: …\n"+
		"D4,丁,411003,B,B1,B1: …\n"), 0o644)
	os.WriteFile(pandas, []byte("uscc,clauses,grade\n"+
		"A1,,A\n"+
		"B2,C6,C\n"+
		"C3,C1,C\n"+
		"E5,B6,B\n"), 0o644)
	agree, total, diffs, err := compareGrades(creditsync, pandas)
	if err != nil {
		t.Fatal(err)
	}
	if agree != 2 || total != 5 {
		t.Errorf("agree %d of %d, want 2 of 5", agree, total)
	}
	want := []string{
		"B2: same grade, other clauses: creditsync C (C6;B1), pandas C (C6)",
		"C3: creditsync D (D5), pandas C (C1)",
		"D4: creditsync B (B1), pandas not graded",
		"E5: creditsync not graded, pandas B (B6)",
	}
	if !slices.Equal(diffs, want) {
		t.Errorf("diffs:\n%q\nwant\n%q", diffs, want)
	}
}

func TestFileTimes(t *testing.T) {
	out := "time=… level=INFO msg=\"importing /w/csv/abnormal.csv\" progress_pct=24\n" +
		"/w/csv/institutions.csv → institutions: 300 read, 300 new or changed, 0 unchanged, 0 rejected (0.6s, batch 1)\n" +
		"/w/csv/abnormal.csv → abnormal: 10000000 read, 0 new or changed, 10000000 unchanged, 0 rejected; the same file as batch 2, the last written to abnormal, so nothing was read again (53.2s, batch 3)\n"
	got := fileTimes(out)
	want := []fileTime{{"/w/csv/institutions.csv", 300, 0.6}, {"/w/csv/abnormal.csv", 10_000_000, 53.2}}
	if !slices.Equal(got, want) {
		t.Errorf("fileTimes = %v, want %v", got, want)
	}
}
