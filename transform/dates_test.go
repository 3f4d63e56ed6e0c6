package transform

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestParseDate(t *testing.T) {
	jul31 := date(2023, time.July, 31)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2023-07-31", jul31},
		{"2023/7/31", jul31},
		{"2023/07/31", jul31},
		{"2023.07.31", jul31},
		{"2023.7.31", jul31},
		{"20230731", jul31},
		{"2023年7月31日", jul31},
		{"2023年07月31日", jul31},
		{"2023-7-1", date(2023, time.July, 1)},
		{"2023/1/9", date(2023, time.January, 9)},
		{"2023-07-31 12:00:00", jul31},
		{"2023-07-31 12:00", jul31},
		{"2023/7/31 0:00", jul31},
		{"2023-07-31 00:00:00.0", jul31},
		{"2023-07-31T12:00:00+08:00", jul31},
		{"2023-07-31T00:30+08:00", jul31},
		{"2023-07-31T08:00:00+0800", jul31},
		// A time with a zone is an instant: its date is Xuchang's.
		// Chinese midnight written in UTC (Java's Jackson by default):
		{"2023-07-30T16:00:00.000Z", jul31},
		{"2023-07-30T16:00:00+0000", jul31},
		{"2023-07-30T16:00:00+00:00", jul31},
		{"2023-07-30 16:00:00Z", jul31},
		{"2023-07-30T15:59:59.999Z", date(2023, time.July, 30)},
		{"2023-07-31T23:59:59.999Z", date(2023, time.August, 1)},
		{"2023-07-31T00:30:00-05:00", jul31},
		{"2023-07-31T20:00-05:00", date(2023, time.August, 1)},
		{"2023-12-31T16:00:00Z", date(2024, time.January, 1)},
		{"2024-02-28T16:00:00Z", date(2024, time.February, 29)},
		{"2023-07-31T00:59:59+09", date(2023, time.July, 30)},
		{"2023-07-31T01:00:00+09", jul31},
		{"2023年7月31日 9:30", jul31},
		// A time of day written in Chinese, as 填报时间 lines have it.
		{"2023年7月31日 上午", jul31},
		{"2023年7月31日上午", jul31},
		{"2023年7月31日 下午3:30", jul31},
		{"2023年7月31日 9时30分", jul31},
		{"2023-07-31 9点半", jul31},
		{"2023/7/31 9:00", jul31},
		{"  2023-07-31  ", jul31},
		{"\u30002023-07-31\u3000", jul31},
		{"２０２３－０７－３１", jul31},
		{"２０２３年７月３１日", jul31},
		{"2024-02-29", date(2024, time.February, 29)},
		{"2000-02-29", date(2000, time.February, 29)},
		{"1970-01-01", date(1970, time.January, 1)},
		{"2100-12-31", date(2100, time.December, 31)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok, err := ParseDate(tt.in)
			if err != nil || !ok {
				t.Fatalf("ParseDate(%q) = %v, %v, %v; want %v, true, nil", tt.in, got, ok, err, tt.want)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDateEmpty(t *testing.T) {
	for _, in := range []string{"", " ", "\u3000", "\t\u00a0"} {
		got, ok, err := ParseDate(in)
		if err != nil || ok || !got.IsZero() {
			t.Errorf("ParseDate(%q) = %v, %v, %v; want zero, false, nil", in, got, ok, err)
		}
	}
}

func TestParseDateInvalid(t *testing.T) {
	tests := []struct {
		in, reason string
	}{
		{"2023-02-29", "no day 29"},
		{"2100-02-29", "no day 29"},    // a century year not divisible by 400
		{"1969-12-31", "outside 1970"}, // the store's first day is 1970-01-01
		{"1900-01-01", "outside 1970"},
		{"2100-02-29", "no day 29"},
		{"2023-04-31", "no day 31"},
		{"2023-01-00", "no day 0"},
		{"2023-13-01", "month 13"},
		{"2023-00-10", "month 0"},
		{"20231301", "month 13"},
		{"2023年2月30日", "no day 30"},
		{"1899-12-31", "year 1899"},
		{"2101-01-01", "year 2101"},
		{"0000-01-01", "year 0"},
		{"45138", "known format"},
		{"2023-07/31", "known format"},
		{"31.07.2023", "known format"},
		{"07/31/2023", "known format"},
		{"2023-07", "known format"},
		{"2023-007-31", "known format"},
		{"2023年7月31", "known format"},
		{"July 31, 2023", "known format"},
		{"202307311", "known format"},
		{"2023-07-31 noon", "time part"},
		{"2023年7月31日 上午 garbage", "time part"},
		{"2023年7月31日下周", "time part"},
		{"2023-07-31 25时", "time part"},
		{"2023-07-31T25:00:00", "time part"},
		{"2100-12-31T16:00:00Z", "2101 in Xuchang"},
		{"2023-07-31T12:00+24:00", "time part"},
		{"2023-07-31T", "time part"},
		{"无", "known format"},
		{"-", "known format"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok, err := ParseDate(tt.in)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %v, %v, nil; want an error", tt.in, got, ok)
			}
			if ok || !got.IsZero() {
				t.Errorf("ParseDate(%q) returned %v, %v with error %v", tt.in, got, ok, err)
			}
			if !errors.Is(err, ErrDate) {
				t.Errorf("error %v does not wrap ErrDate", err)
			}
			msg := err.Error()
			for _, want := range []string{tt.reason, tt.in, "2023-07-31", "2023/7/31", "2023.07.31", "20230731", "2023年7月31日"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
		})
	}
}

func TestParseDateLeapYears(t *testing.T) {
	tests := []struct {
		year int
		leap bool
	}{
		{1900, false}, {1996, true}, {2000, true}, {2023, false},
		{2024, true}, {2025, false}, {2028, true}, {2100, false},
	}
	for _, tt := range tests {
		for _, spelling := range []string{"%d-02-29", "%d/2/29", "%d.02.29", "%d0229", "%d年2月29日"} {
			in := strings.Replace(spelling, "%d", strconv.Itoa(tt.year), 1)
			_, ok, err := ParseDate(in)
			if ok != tt.leap || (err == nil) != tt.leap {
				t.Errorf("ParseDate(%q) = ok %v, err %v; leap year: %v", in, ok, err, tt.leap)
			}
		}
	}
}

func TestFormatDate(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{date(2023, time.July, 31), "2023-07-31"},
		{date(2023, time.July, 1), "2023-07-01"},
		{time.Date(2023, time.July, 31, 23, 59, 0, 0, time.FixedZone("CST", 8*3600)), "2023-07-31"},
	}
	for _, tt := range tests {
		if got := FormatDate(tt.in); got != tt.want {
			t.Errorf("FormatDate(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSerialDatesParse(t *testing.T) {
	tests := []struct {
		system SerialDates
		in     string
		want   time.Time
		ok     bool
	}{
		{Excel1900, "45138", date(2023, time.July, 31), true},
		{Excel1900, "45000", date(2023, time.March, 15), true},
		{Excel1900, "45138.5", date(2023, time.July, 31), true}, // noon
		{Excel1900, "45138.999", date(2023, time.July, 31), true},
		{Excel1900, "45138.99999999", date(2023, time.July, 31), true},      // 23:59:59.999
		{Excel1900, "45350.999999999", date(2024, time.February, 29), true}, // shown as 00:00 the next day
		{Excel1900, "45351.0000000001", date(2024, time.February, 29), true},
		{Excel1900, " 45138 ", date(2023, time.July, 31), true},
		{Excel1900, "４５１３８", date(2023, time.July, 31), true},
		{Excel1900, "25569", date(1970, time.January, 1), true},
		{Excel1900, "25568", time.Time{}, false},  // 1969-12-31: before the store's first day
		{Excel1900, "2023.1", time.Time{}, false}, // 2023.10 typed into a number cell: 1905
		{Excel1900, "1", time.Time{}, false},
		{Excel1900, "59", time.Time{}, false},
		{Excel1900, "61", time.Time{}, false},
		{Excel1900, "36526", date(2000, time.January, 1), true},
		{Excel1900, "73415", date(2100, time.December, 31), true},
		{Excel1900, "60", time.Time{}, false}, // Excel's 1900-02-29, which never was
		{Excel1900, "0", time.Time{}, false},
		{Excel1900, "0.5", time.Time{}, false},
		{Excel1900, "73416", time.Time{}, false}, // 2101-01-01
		{Excel1900, "20230731", time.Time{}, false},
		{Excel1900, "-1", time.Time{}, false},
		{Excel1900, "", time.Time{}, false},
		{Excel1900, "2023-07-31", time.Time{}, false},
		{Excel1900, "4.5e4", time.Time{}, false},
		{Excel1900, "NaN", time.Time{}, false},
		{Excel1900, "Inf", time.Time{}, false},
		{Excel1900, "0x1p4", time.Time{}, false},
		{Excel1900, "45_138", time.Time{}, false},
		{Excel1900, "45138.", time.Time{}, false},
		{Excel1900, strings.Repeat("9", 400), time.Time{}, false},
		// The 1904 system: 1,462 days fewer for the same day, and no
		// 29 February 1900 to skip.
		{Excel1904, "43676", date(2023, time.July, 31), true},
		{Excel1904, "43676.75", date(2023, time.July, 31), true},
		{Excel1904, "45138", date(2027, time.August, 1), true},
		{Excel1904, "24107", date(1970, time.January, 1), true},
		{Excel1904, "24106", time.Time{}, false},
		{Excel1904, "1", time.Time{}, false},
		{Excel1904, "71953", date(2100, time.December, 31), true},
		{Excel1904, "71954", time.Time{}, false},
		{Excel1904, "0", time.Time{}, false},
		{Excel1904, "2023-07-31", time.Time{}, false},
		// Text has no serial dates.
		{NoSerialDates, "45138", time.Time{}, false},
		{NoSerialDates, "43676", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.system.String()+"/"+tt.in, func(t *testing.T) {
			got, ok := tt.system.Parse(tt.in)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("%v.Parse(%q) = %v, %v; want %v, %v", tt.system, tt.in, got, ok, tt.want, tt.ok)
			}
			if ok && got.Location() != time.UTC {
				t.Errorf("%v.Parse(%q) location %v, want UTC", tt.system, tt.in, got.Location())
			}
		})
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2023-07-31", "2023/7/31", "2023.07.31", "20230731", "2023年7月31日",
		"2023-7-1", "2023-07-31 12:00:00", "2023-07-31T12:00:00+08:00",
		"2024-02-29", "2023-02-29", "2023-13-01", "45138", "", "\u3000",
		"２０２３－０７－３１", "2023/7/31 0:00", "1900-01-01", "2100-12-31",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok, err := ParseDate(s)
		if err != nil {
			if ok || !d.IsZero() {
				t.Fatalf("ParseDate(%q) = %v, %v with error %v", s, d, ok, err)
			}
			if !errors.Is(err, ErrDate) {
				t.Fatalf("ParseDate(%q) error %v does not wrap ErrDate", s, err)
			}
			return
		}
		if !ok {
			if NormalizeText(s) != "" || !d.IsZero() {
				t.Fatalf("ParseDate(%q) = %v, false, nil for a non-empty value", s, d)
			}
			return
		}
		if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Fatalf("ParseDate(%q) = %v, want midnight UTC", s, d)
		}
		if d.Year() < 1900 || d.Year() > 2100 {
			t.Fatalf("ParseDate(%q) = %v, outside 1900–2100", s, d)
		}
		formatted := FormatDate(d)
		again, ok2, err2 := ParseDate(formatted)
		if err2 != nil || !ok2 || !again.Equal(d) {
			t.Fatalf("round trip %q -> %v -> %q -> %v, %v, %v", s, d, formatted, again, ok2, err2)
		}
	})
}
