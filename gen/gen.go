// Package gen generates consistent synthetic data sets of the seven lists
// directly in the store, for demonstrations, load tests and benchmarks.
// ClickHouse does the work: each table is one INSERT … SELECT FROM
// numbers(n) under sql/queries/gen, several times faster per row than
// importing files, about a minute for national scale (twenty million rows)
// on two cores.
//
// Generate REPLACES data: it empties the seven lists first. Everything is
// derived from hashes of (seed, row number), so the same seed, scale and
// as-of date give the same rows, metadata included.
//
// What a data set holds:
//
//   - institutions with valid USCCs (GB 32100-2015), unique names, and
//     profiles that make every institution-level clause of docs/rules.md
//     hold (revoked, cancelled, lost contact, no commitment, missing
//     annual reports);
//   - inspection records, all about institutions, of every kind and
//     severity, inside and outside the 12-month window, some refused;
//   - annual reports for the last Scale.ReportYears years, most on time;
//   - external lists (penalties, abnormal, dishonest, public_eval) mostly
//     about other enterprises, as in reality, a small share about
//     institutions, a few rows with a name but no USCC;
//   - on institutions 30–49, scenario rows that make each clause hold and
//     just miss (window and publicity edges), so that even a tiny scale
//     exercises all of docs/rules.md; 30–49 of later hundreds have no
//     records at all.
//
// The metadata columns are filled as the loader would fill them (source
// "gen", one batch per data set, row_hash over the contract columns), so
// importing the same rows later changes nothing.
package gen

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"time"

	"github.com/xuchang-hrss/creditsync/registered"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/zone"
)

// Scale sizes a data set.
type Scale struct {
	Name   string
	Region Region
	// Institutions is the number of licensed institutions; at least 100
	// for every institution profile to occur, and at least 50.
	Institutions int64
	// Rows of each list. Inspections are all about institutions; of the
	// external lists a small share is (see the list specs).
	Abnormal, Penalties, Dishonest, PublicEval, Inspections int64
	// ReportYears is how many years of annual reports are kept.
	ReportYears int
}

// Scales are the named scales of `creditsync gen --scale`.
var Scales = map[string]Scale{
	"city": {Name: "city", Region: Xuchang, Institutions: 300,
		Abnormal: 30_000, Penalties: 15_000, Dishonest: 3_000, PublicEval: 6_000, Inspections: 3_000, ReportYears: 5},
	"province": {Name: "province", Region: Henan, Institutions: 10_000,
		Abnormal: 1_000_000, Penalties: 500_000, Dishonest: 100_000, PublicEval: 200_000, Inspections: 100_000, ReportYears: 5},
	"national": {Name: "national", Region: China, Institutions: 100_000,
		Abnormal: 10_000_000, Penalties: 5_000_000, Dishonest: 1_000_000, PublicEval: 2_000_000, Inspections: 1_000_000, ReportYears: 5},
	"xl": {Name: "xl", Region: China, Institutions: 1_000_000,
		Abnormal: 100_000_000, Penalties: 50_000_000, Dishonest: 10_000_000, PublicEval: 20_000_000, Inspections: 10_000_000, ReportYears: 5},
}

// ScaleNames lists the named scales from small to large.
func ScaleNames() []string {
	names := make([]string, 0, len(Scales))
	for n := range Scales {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return Scales[names[i]].Institutions < Scales[names[j]].Institutions })
	return names
}

// Options control a generation.
type Options struct {
	Seed int64
	// AsOf is the date the data set is current at: nothing is dated later,
	// and the windows of the scenarios end on it. Zero means today in
	// Asia/Shanghai (and then a rerun on another day differs).
	AsOf time.Time
	// Progress, when set, is called after each table is written.
	Progress func(table string, rows int64, took time.Duration)
}

// TableStats is what was written to one table.
type TableStats struct {
	Table string
	Rows  int64
	Took  time.Duration
}

// Stats summarises a generation.
type Stats struct {
	BatchID string
	AsOf    time.Time
	Tables  []TableStats // in the order written
	Took    time.Duration
}

// Rows is the total number of rows written.
func (s Stats) Rows() int64 {
	var n int64
	for _, t := range s.Tables {
		n += t.Rows
	}
	return n
}

// Tables are the tables Generate replaces, in the order it writes them
// (institutions first: the others read it).
var Tables = []string{"institutions", "annual_reports", "inspections", "penalties", "abnormal", "dishonest", "public_eval"}

// list describes how an external list divides its rows between
// institutions and other enterprises.
type list struct {
	table string
	rows  func(Scale) int64
	// perInstitution is the number of rows about institutions per
	// institution; the scenario rows come on top when it is smaller.
	perInstitution float64
	// perEnterprise is the mean number of rows per enterprise listed.
	perEnterprise float64
}

var lists = map[string]list{
	"penalties":   {"penalties", func(s Scale) int64 { return s.Penalties }, 0.08, 1.25},
	"abnormal":    {"abnormal", func(s Scale) int64 { return s.Abnormal }, 0.08, 1.6},
	"dishonest":   {"dishonest", func(s Scale) int64 { return s.Dishonest }, 0.012, 1.1},
	"public_eval": {"public_eval", func(s Scale) int64 { return s.PublicEval }, 1.5, 1},
}

const (
	// scenarioRows bounds the scenario rows of any list's SQL file; the
	// rows about institutions are at least this many when the list is.
	scenarioRows = 20
	// Scenario institutions are 30–49 of every hundred.
	scenarioFirst, scenarioLast = 30, 49
	// idSpace is 31^6: the six base-31 digits of an organisation code.
	idSpace = 887_503_681
	// enterpriseBase is the first identity index of an enterprise.
	enterpriseBase = 200_000_000
	// poolShare sizes the pool of enterprises relative to the longest list.
	poolShare = 0.6
)

// ErrScale is wrapped by errors about a Scale that cannot be generated.
var ErrScale = errors.New("invalid scale")

func (sc Scale) validate() error {
	switch {
	case sc.Institutions < 50:
		return fmt.Errorf("%w %q: %d institutions, need at least 50 (the scenario institutions are 30–49)", ErrScale, sc.Name, sc.Institutions)
	case uint64(sc.Institutions) > maxInstitutionTrades() || sc.Institutions >= enterpriseBase:
		return fmt.Errorf("%w %q: %d institutions, at most %d", ErrScale, sc.Name, sc.Institutions, maxInstitutionTrades())
	case sc.Abnormal < 0 || sc.Penalties < 0 || sc.Dishonest < 0 || sc.PublicEval < 0 || sc.Inspections < 0 || sc.ReportYears < 0:
		return fmt.Errorf("%w %q: negative row count", ErrScale, sc.Name)
	case sc.pool() > idSpace-enterpriseBase || uint64(sc.pool()) > maxEnterpriseTrades():
		return fmt.Errorf("%w %q: external lists too long for distinct enterprise codes", ErrScale, sc.Name)
	}
	return nil
}

// plain is the number of institutions that are not scenario institutions.
func (sc Scale) plain() int64 {
	n := sc.Institutions
	rem := n % 100
	return n/100*80 + min(rem, scenarioFirst) + max(0, rem-scenarioLast-1)
}

// pool is the number of distinct enterprises the external lists draw from.
func (sc Scale) pool() int64 {
	longest := max(sc.Abnormal, sc.Penalties, sc.Dishonest, sc.PublicEval)
	return max(1, int64(math.Ceil(float64(longest)*poolShare)))
}

// institutionRows is how many rows of a list concern institutions.
func (sc Scale) institutionRows(l list) int64 {
	n := l.rows(sc)
	k := max(scenarioRows, int64(math.Round(float64(sc.Institutions)*l.perInstitution)))
	return min(n, k)
}

// Generate empties the seven lists of s and fills them with a data set of
// scale sc. On error the tables hold what was written so far.
func Generate(ctx context.Context, s store.Store, sc Scale, opt Options) (Stats, error) {
	start := time.Now()
	if err := sc.validate(); err != nil {
		return Stats{}, err
	}
	asOf := opt.AsOf
	if asOf.IsZero() {
		asOf = today()
	}
	asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	st := Stats{AsOf: asOf, BatchID: fmt.Sprintf("gen_%s_%s_s%d", asOf.Format("20060102"), sc.Name, opt.Seed)}
	t := sql.Target{Cluster: s.Cluster()}

	for _, table := range Tables {
		if err := s.Exec(ctx, sql.MustQuery(t, "store/truncate"), store.Params{"table": table}); err != nil {
			return st, fmt.Errorf("empty %s: %w", table, err)
		}
	}
	// The engine's clock, not the as-of date: a data set generated for a
	// future date must not outrank later imports of the same keys.
	version, err := store.Version(ctx, s)
	if err != nil {
		return st, err
	}
	base := baseParams(sc, opt.Seed, asOf, st.BatchID)
	base["version"] = version
	for _, table := range Tables {
		began := time.Now()
		p := tableParams(sc, opt.Seed, table, base)
		if err := s.Exec(ctx, sql.MustQuery(t, "gen/"+table), p); err != nil {
			return st, fmt.Errorf("generate %s: %w", table, err)
		}
		n, err := store.Count(ctx, s, sql.MustQuery(t, "gen/count_rows"), store.Params{"table": table, "batch_id": st.BatchID})
		if err != nil {
			return st, fmt.Errorf("count generated %s: %w", table, err)
		}
		err = s.Exec(ctx, sql.MustQuery(t, "load/record_batch"), store.Params{
			"batch_id": st.BatchID, "list": table, "source": "gen", "source_ref": base["source_ref"], "encoding": "",
			"started_at": began.UTC(), "read": uint64(n), "loaded": uint64(n), "unchanged": uint64(0),
			"rejected": uint64(0), "status": "ok", "error": "", "digest": "",
		})
		if err != nil {
			return st, fmt.Errorf("record generated %s: %w", table, err)
		}
		ts := TableStats{Table: table, Rows: n, Took: time.Since(began)}
		st.Tables = append(st.Tables, ts)
		if opt.Progress != nil {
			opt.Progress(table, ts.Rows, ts.Took)
		}
	}
	// The lists and the register were replaced outside the loader.
	if err := registered.Refill(ctx, s); err != nil {
		return st, err
	}
	st.Took = time.Since(start)
	return st, nil
}

// StoredRows counts the rows in the seven lists, so a command can refuse
// to replace data that is there.
func StoredRows(ctx context.Context, s store.Store) (int64, error) {
	return store.Count(ctx, s, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "gen/stored_rows"), nil)
}

func today() time.Time {
	return time.Now().In(zone.Shanghai)
}

// baseParams are the parameters every generator query may use.
func baseParams(sc Scale, seed int64, asOf time.Time, batchID string) store.Params {
	p := store.Params{
		"seed":         uint64(seed),
		"as_of":        asOf,
		"batch_id":     batchID,
		"source_ref":   fmt.Sprintf("gen --scale %s --seed %d --as-of %s", sc.Name, seed, asOf.Format(time.DateOnly)),
		"loaded_at":    asOf,
		"years":        uint64(sc.ReportYears),
		"plain":        uint64(sc.plain()),
		"plain_mul":    coprime(uint64(sc.plain()), mix(seed, "plain")),
		"plain_add":    mix(seed, "plain-add") % uint64(sc.plain()),
		"pool":         uint64(sc.pool()),
		"pool_mul":     coprime(uint64(sc.pool()), mix(seed, "pool")),
		"id_mul":       coprime(idSpace, mix(seed, "id")%(1<<32)),
		"id_add":       mix(seed, "id-add") % idSpace,
		"trade_space":  sc.tradeSpace(),
		"trade_mul":    coprime(sc.tradeSpace(), mix(seed, "trade")),
		"trade_add":    mix(seed, "trade-add") % sc.tradeSpace(),
		"institutions": uint64(sc.Institutions),
	}
	for k, v := range sc.Region.geography().params() {
		p[k] = v
	}
	for k, v := range nameParams() {
		p[k] = v
	}
	return p
}

// tableParams adds the row counts of one table to base.
func tableParams(sc Scale, seed int64, table string, base store.Params) store.Params {
	p := make(store.Params, len(base)+4)
	for k, v := range base {
		p[k] = v
	}
	switch table {
	case "institutions":
		p["n"] = uint64(sc.Institutions)
	case "inspections":
		p["n"] = uint64(sc.Inspections)
	}
	if l, ok := lists[table]; ok {
		n, k := l.rows(sc), sc.institutionRows(l)
		distinct := min(sc.pool(), max(1, int64(math.Ceil(float64(n-k)/l.perEnterprise))))
		p["n"] = uint64(n)
		p["k"] = uint64(k)
		p["distinct"] = uint64(distinct)
		p["pool_add"] = mix(seed, table) % uint64(sc.pool())
	}
	return p
}

// mix derives a number from the seed for one purpose.
func mix(seed int64, purpose string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", seed, purpose)
	return h.Sum64()
}

// coprime returns a multiplier in [m/3, 2m/3) or so, picked by x, that
// shares no factor with m: multiplying by it permutes [0, m).
func coprime(m, x uint64) uint64 {
	if m <= 2 {
		return 1
	}
	a := m/3 + x%(m/3+1)
	for gcd(a, m) != 1 {
		a++
	}
	return a
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
