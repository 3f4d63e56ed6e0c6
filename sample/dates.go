package sample

import "time"

// rng is splitmix64. The generator promises byte-identical files for a seed
// across Go releases; math/rand/v2 documents its sources but not the exact
// streams of helpers such as IntN or Perm, so a ten-line generator we own is
// the cheaper guarantee.
type rng struct{ s uint64 }

func newRNG(seed int64, stream uint64) *rng {
	return &rng{s: uint64(seed) ^ stream*0x9e3779b97f4a7c15}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns 0 ≤ x < n. The modulo bias is below 2^-50 for the small n used
// here, far under anything a sample could show.
func (r *rng) intn(n int) int {
	if n <= 0 {
		panic("sample: intn with n <= 0")
	}
	return int(r.next() % uint64(n))
}

// chance is true with probability pct/100.
func (r *rng) chance(pct int) bool { return r.intn(100) < pct }

func (r *rng) pick(s []string) string { return s[r.intn(len(s))] }

// perm is a Fisher–Yates permutation of 0..n-1.
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Dates are calendar days, held as UTC midnight so that day arithmetic never
// meets a DST or zone offset. The zero time means "no date".

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// civil keeps the calendar date of t as seen in t's own location.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return ymd(y, m, d)
}

func days(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

// minusYear is docs/rules.md's T − 1y: same month and day a year earlier, with
// 29 February mapped to 28 February. Go's AddDate(-1, 0, 0) would give
// 1 March instead and move the window edge by a day.
func minusYear(t time.Time) time.Time {
	y, m, d := t.Date()
	if m == time.February && d == 29 {
		d = 28
	}
	return ymd(y-1, m, d)
}

// dueDate is when the HR annual report for year n is due (docs/rules.md §3.1).
func dueDate(n int) time.Time { return ymd(n+1, time.March, 31) }

// latestDueYear is the largest report year whose due date is on or before t.
func latestDueYear(t time.Time) int {
	if t.Before(dueDate(t.Year() - 1)) {
		return t.Year() - 2
	}
	return t.Year() - 1
}

// onOrBefore reports a ≤ b for dates.
func onOrBefore(a, b time.Time) bool { return !a.After(b) }

func maxDate(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minDate(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// between returns a uniformly chosen date in [a, b]; b before a yields a.
func (r *rng) between(a, b time.Time) time.Time {
	n := int(b.Sub(a).Hours() / 24)
	if n <= 0 {
		return a
	}
	return days(a, r.intn(n+1))
}
