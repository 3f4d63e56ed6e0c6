package listsync

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
)

// Config is the sync part of creditsync.toml: a [sync] table of
// settings and one [[source]] table per source. Other tables of the file
// belong to other parts of creditsync and are ignored here.
type Config struct {
	Settings Settings
	Sources  []Source
}

// Settings apply to every source.
type Settings struct {
	MaxStaleness time.Duration `toml:"max_staleness" doc:"a source whose last good sync is older is reported stale (per-source max_staleness overrides)" default:"72h"`
	ResumeWithin time.Duration `toml:"resume_within" doc:"an interrupted snapshot older than this is started over instead of resumed" default:"24h"`
	UserAgent    string        `toml:"user_agent" doc:"User-Agent sent to every source" default:"creditsync (Xuchang HRSS credit grading)"`
	KeepRawPages bool          `toml:"keep_raw_pages" doc:"store every page fetched in raw_pages (removed records vanish from the sites; these are the only history; sync --replay re-reads them)" default:"true"`
	// NoSources says a deployment really has no external sources: without
	// it a nightly run that finds none configured fails, since grading
	// without the external lists would lift every listed institution.
	NoSources bool `toml:"no_sources" doc:"set to true when this deployment has no external sources on purpose; otherwise 'run nightly' with no [[source]] fails"`
}

// Source is one [[source]]. A preset fills everything but the URL and
// the credential; any key set in the file overrides the preset's.
type Source struct {
	Name     string `toml:"name" doc:"unique name, used by --source and in sync_runs" example:"publicity-penalties"`
	Preset   string `toml:"preset" doc:"defaults for a known source: {presets} (or the list names {preset lists})"`
	List     string `toml:"list" doc:"the list the source fills: {external lists}"`
	Kind     string `toml:"kind" doc:"api (JSON), html (list pages) or file (the newest file matching path: bulk drops of the sharing platform)"`
	Mode     string `toml:"mode" doc:"snapshot: each complete sync is the whole list, and records missing from it are removed; incremental: a feed of changes since the last sync, nothing is removed" default:"snapshot"`
	Disabled bool   `toml:"disabled" doc:"skip the source unless named with --source"`
	Required bool   `toml:"required" doc:"a failed sync of this source makes the nightly or sync run end failed, not degraded (grading still runs on its last good data)"`
	URL      string `toml:"url" doc:"api: the endpoint; html: the first list page"`
	Path     string `toml:"path" doc:"file: a glob of dropped CSV/XLSX files; the newest is the snapshot" example:"/srv/drop/dishonest/*.xlsx"`

	TokenEnv   string `toml:"token_env" doc:"environment variable holding the token or API key (preferred)"`
	TokenFile  string `toml:"token_file" doc:"file holding the token or API key (first line); used when token_env is empty"`
	AuthHeader string `toml:"auth_header" doc:"header the credential is sent in" example:"X-Api-Token"`
	AuthQuery  string `toml:"auth_query" doc:"query parameter the credential is sent in, for sources that want it in the URL (it is redacted wherever shown)" example:"appkey"`
	AuthPrefix string `toml:"auth_prefix" doc:"written before the credential" example:"Bearer "`

	Rate          float64       `toml:"rate" doc:"requests per second; 0 = no limit" default:"1"`
	Burst         int           `toml:"burst" doc:"requests allowed at once above the rate" default:"1"`
	Timeout       time.Duration `toml:"timeout" doc:"per request" default:"30s"`
	Retries       int           `toml:"retries" doc:"retries of a request after timeouts, 5xx and 429" default:"4"`
	BackoffMin    time.Duration `toml:"backoff_min" doc:"first wait before a retry; doubles up to backoff_max, with jitter" default:"1s"`
	BackoffMax    time.Duration `toml:"backoff_max" doc:"longest wait between retries" default:"1m"`
	MaxRetryAfter time.Duration `toml:"max_retry_after" doc:"a longer Retry-After fails the sync instead of stalling it" default:"5m"`
	MaxPages      int           `toml:"max_pages" doc:"pages per sync; the next sync resumes after them; unset (0): a snapshot fails past twice the pages its claimed count takes, or past 20000 pages without a claim (docs/sync.md)"`

	Pagination  string            `toml:"pagination" doc:"api: page (page and size parameters, stop at the total), cursor (next cursor) or next_url (next link)"`
	PageParam   string            `toml:"page_param" doc:"api page pagination: page number parameter" example:"page"`
	SizeParam   string            `toml:"size_param" doc:"api: page size parameter" example:"size"`
	PageSize    int               `toml:"page_size" doc:"api: records per page requested" example:"50"`
	FirstPage   int               `toml:"first_page" doc:"number of the first page (1, or 0 for some APIs)" default:"1"`
	TotalPath   string            `toml:"total_path" doc:"api: JSON path of the total record count" example:"total"`
	CursorParam string            `toml:"cursor_param" doc:"api cursor pagination: parameter the cursor is sent in" example:"cursor"`
	CursorPath  string            `toml:"cursor_path" doc:"api cursor pagination: JSON path of the next cursor" example:"data.nextCursor"`
	NextPath    string            `toml:"next_path" doc:"api next_url pagination: JSON path of the next page's URL" example:"links.next"`
	RecordsPath string            `toml:"records_path" doc:"api: JSON path of the array of records" example:"data.list"`
	StatusPath  string            `toml:"status_path" doc:"api: JSON path of the envelope's status" example:"code"`
	StatusOK    []string          `toml:"status_ok" doc:"api: status values meaning success" example:"[\"200\"]"`
	MessagePath string            `toml:"message_path" doc:"api: JSON path of the envelope's message" example:"msg"`
	Query       map[string]string `toml:"query" doc:"api: fixed query parameters sent with every page" example:"{ region = \"411000\" }"`
	Fields      map[string]string `toml:"fields" doc:"api: contract column → JSON path in a record" example:"{ record_id = \"PENDECNO\" }"`
	DateFormats map[string]string `toml:"date_formats" doc:"api: contract column → unix_ms, unix or a Go layout such as 2006/01/02; an epoch of 0 (a Java service's missing date) is no date, seconds under unix_ms are refused" example:"{ listed_on = \"unix_ms\" }"`
	SinceParam  string            `toml:"since_param" doc:"api, incremental: parameter receiving the start of the last complete sync" example:"since"`
	SinceFormat string            `toml:"since_format" doc:"api, incremental: Go layout of since_param" default:"2006-01-02"`

	RowSelector         string            `toml:"row_selector" doc:"html: CSS selector of one record" example:"table.list tbody tr"`
	HeaderSelector      string            `toml:"header_selector" doc:"html: CSS selector of the header cells; their texts name the columns (Chinese names and aliases of the contract)" example:"table.list thead th"`
	Headers             map[string]string `toml:"headers" doc:"html: contract column → header text, for texts the contract does not know" example:"{ grade = \"综合评价等级\" }"`
	Cells               map[string]string `toml:"cells" doc:"html: contract column → CSS selector inside a row, instead of header_selector" example:"{ name = \"td:nth-child(2)\" }"`
	NextSelector        string            `toml:"next_selector" doc:"html: the link to the next page" example:"a.next"`
	PageTemplate        string            `toml:"page_template" doc:"html: fetch pages by number instead of next links" example:"https://example.gov.cn/list.html?page={page}"`
	PageCountSelector   string            `toml:"page_count_selector" doc:"html: text stating the number of pages (共37页); must be on every page. A <script> it names itself is read for its text (TRS pagers: div.page script)" example:".page-count"`
	EmptyText           string            `toml:"empty_text" doc:"html: what the site shows for no records" example:"暂无数据"`
	FirstPageURL        string            `toml:"first_page_url" doc:"html with page_template: page 1 when it is named differently (index.html); the template then serves page 2 on, numbered from first_page" example:"https://example.gov.cn/ycml/index.html"`
	PageCountPattern    string            `toml:"page_count_pattern" doc:"html: regular expression reading the page count from page_count_selector's text, the number in its first group" default:"共\\s*(\\d+)\\s*页"`
	RecordCountSelector string            `toml:"record_count_selector" doc:"html: text stating how many records the whole listing has (共46条记录); must be on every page, and a complete snapshot must hold exactly that many" example:".pagination .total"`
	RecordCountPattern  string            `toml:"record_count_pattern" doc:"html: regular expression reading the record count, the number in its first group" default:"共\\s*(\\d+)\\s*条"`

	Method         string   `toml:"method" doc:"api: GET, or POST for interfaces that take the page and query in a request body" default:"GET"`
	BodyFormat     string   `toml:"body_format" doc:"api with method POST: form (application/x-www-form-urlencoded) or json" default:"form"`
	IgnoreColumns  []string `toml:"ignore_columns" doc:"columns or JSON keys the source publishes that carry nothing (序号, a row number): not kept and not reported as unused" example:"[\"序号\"]"`
	OptionalFields []string `toml:"optional_fields" doc:"api: mapped columns an interface may leave out of every record of a page (it omits null keys); any other mapped field missing from a page is a changed layout" example:"[\"removed_on\"]"`

	MinRows              int           `toml:"min_rows" doc:"a complete snapshot with fewer records fails (nothing is loaded or removed)"`
	MaxRows              int           `toml:"max_rows" doc:"a snapshot with more records fails, as soon as its pages read hold more distinct ones; 0 = no limit"`
	MaxShrink            float64       `toml:"max_shrink" doc:"a snapshot that lost more than this fraction of the previous complete one fails, e.g. 0.3; 0 = no check" default:"0.5"`
	ConfirmRemovalsAfter time.Duration `toml:"confirm_removals_after" doc:"a record missing from a complete snapshot is removed only when a later complete snapshot, started at least this long after the first, lacks it too; until then it is a pending removal and changes no grade. The default lets the next night's sync confirm (even one run a few hours earlier) and no sync of the same night; 0 = the next complete snapshot, however soon" default:"20h"`
	MaxRemovals          int           `toml:"max_removals" doc:"confirmed removals one sync may write, counting records a new end date (removed_on, publicity_ended_on) ends; more are held for a person (creditsync review removals --accept SOURCE); 0 = no limit" default:"20"`
	MaxRemovalShare      float64       `toml:"max_removal_share" doc:"fraction of the source's listed records one sync may remove or end by a new end date (two or more); more are held like max_removals; 0 = no limit" default:"0.2"`
	MaxStaleness         time.Duration `toml:"max_staleness" doc:"this source's staleness threshold; default the [sync] one"`

	SkipChecks []SkipCheck `toml:"skip_checks" doc:"checks of docs/sync.md this source switches off, each with the reason it must (shown by 'creditsync sources', logged and recorded with every run); the checks are listed below" example:"[{ check = \"page_count\", reason = \"the pager counts pages of 20 over pages of 15; reported to the site 2026-05-02\" }]"`
}

// SkipCheck switches one check off for a source: a site that fails a
// check for good would otherwise stay failed, and a check dropped from
// the code for it would be dropped for every source. The reason is
// required, so that whoever reads 'creditsync sources' knows why.
type SkipCheck struct {
	Check  string `toml:"check"`
	Reason string `toml:"reason"`
}

// skips are the checks the source switched off, for the code that runs
// them (see fetch.Skips).
func (s Source) skips() fetch.Skips {
	out := fetch.Skips{}
	for _, sc := range s.SkipChecks {
		c, _ := fetch.LookupCheck(sc.Check) // validated with the config
		out[c] = strings.TrimSpace(sc.Reason)
	}
	return out
}

// Skipped describes the checks the source switched off, "check: reason".
func (s Source) Skipped() []string {
	var out []string
	for _, sc := range s.SkipChecks {
		out = append(out, strings.TrimSpace(sc.Check)+": "+strings.TrimSpace(sc.Reason))
	}
	return out
}

// Source kinds and modes.
const (
	KindAPI  = "api"
	KindHTML = "html"
	KindFile = "file"

	ModeSnapshot    = "snapshot"
	ModeIncremental = "incremental"
)

// ErrConfig means the sync configuration cannot work.
var ErrConfig = errors.New("invalid sync configuration")

// DefaultSettings are the [sync] values when the file does not set them.
func DefaultSettings() Settings {
	return Settings{MaxStaleness: 72 * time.Hour, ResumeWithin: 24 * time.Hour, UserAgent: "creditsync (Xuchang HRSS credit grading)", KeepRawPages: true}
}

// politeness are the request defaults every source starts from.
func politeness() Source {
	return Source{Mode: ModeSnapshot, Rate: 1, Burst: 1, Timeout: 30 * time.Second, Retries: 4, BackoffMin: time.Second,
		BackoffMax: time.Minute, MaxRetryAfter: 5 * time.Minute, FirstPage: 1, MaxShrink: 0.5, SinceFormat: time.DateOnly,
		MaxRemovals: 20, MaxRemovalShare: 0.2, ConfirmRemovalsAfter: DefaultConfirmRemovalsAfter, Method: "GET", BodyFormat: "form"}
}

// DefaultConfirmRemovalsAfter is how long after the snapshot that first
// missed a record another must start to confirm its removal, unless a
// source says otherwise (docs/sync.md §4). With 0, any second snapshot
// confirmed it: an operator re-running sync, or the 01:00 sync followed
// by the 02:30 nightly, so a fault that kept its own count consistent
// for ninety minutes (a search backend serving 10 of its 12 records as
// 共10条) removed listings still published. 20 hours lets the next
// night's sync confirm, even one that runs a few hours earlier, and no
// sync of the same night.
const DefaultConfirmRemovalsAfter = 20 * time.Hour

// LoadConfig reads the sync configuration from a TOML file.
func LoadConfig(path string) (Config, error) {
	cfg, err := decodeConfig(func(v any) (toml.MetaData, error) { return toml.DecodeFile(path, v) })
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return cfg, fmt.Errorf("%w: %s does not exist; copy creditsync.example.toml and list your sources in it", ErrConfig, path)
		}
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig reads the sync configuration from TOML text.
func ParseConfig(text string) (Config, error) {
	return decodeConfig(func(v any) (toml.MetaData, error) { return toml.Decode(text, v) })
}

func decodeConfig(decode func(any) (toml.MetaData, error)) (Config, error) {
	var file struct {
		Sync    Settings         `toml:"sync"`
		Sources []toml.Primitive `toml:"source"`
	}
	file.Sync = DefaultSettings()
	md, err := decode(&file)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{Settings: file.Sync}
	for i, prim := range file.Sources {
		var head struct {
			Name   string `toml:"name"`
			Preset string `toml:"preset"`
		}
		if err := md.PrimitiveDecode(prim, &head); err != nil {
			return cfg, fmt.Errorf("%w: source %d: %v", ErrConfig, i+1, err)
		}
		src := politeness()
		if head.Preset != "" {
			p, ok := Preset(head.Preset)
			if !ok {
				return cfg, fmt.Errorf("%w: source %s: unknown preset %q; presets: %s", ErrConfig, head.Name, head.Preset, strings.Join(PresetNames(), ", "))
			}
			src = p
		}
		if err := md.PrimitiveDecode(prim, &src); err != nil {
			return cfg, fmt.Errorf("%w: source %s: %v", ErrConfig, head.Name, err)
		}
		cfg.Sources = append(cfg.Sources, src)
	}
	// Keys of other tables belong to other readers of the file; a
	// misspelt key of ours would otherwise be silently ignored.
	var unknown []string
	for _, k := range md.Undecoded() {
		if len(k) > 0 && (k[0] == "sync" || k[0] == "source") {
			unknown = append(unknown, k.String())
		}
	}
	if len(unknown) > 0 {
		return cfg, fmt.Errorf("%w: unknown key(s) %s; see creditsync.example.toml", ErrConfig, strings.Join(unknown, ", "))
	}
	return cfg, cfg.Validate()
}

var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// Validate checks every source, so a mistake is reported when the file
// is read rather than half-way through a sync.
func (c Config) Validate() error {
	seen := map[string]bool{}
	var errs []error
	for _, s := range c.Sources {
		if err := s.validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[s.Name] {
			errs = append(errs, fmt.Errorf("%w: two sources are named %q", ErrConfig, s.Name))
		}
		seen[s.Name] = true
	}
	return errors.Join(errs...)
}

func (s Source) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: source %q: %s", ErrConfig, s.Name, fmt.Sprintf(format, a...))
	}
	if !sourceName.MatchString(s.Name) {
		return bad("name must be lower-case letters, digits, '-', '_' or '.'")
	}
	l, err := contract.Lookup(s.List)
	if err != nil || !l.External {
		return bad("list %q: want one of %s", s.List, strings.Join(contract.ExternalNames(), ", "))
	}
	if s.Mode != ModeSnapshot && s.Mode != ModeIncremental {
		return bad("mode %q: want snapshot or incremental", s.Mode)
	}
	if s.MaxShrink < 0 || s.MaxShrink >= 1 {
		return bad("max_shrink %v: want a fraction from 0 to below 1", s.MaxShrink)
	}
	if s.MaxRemovals < 0 || s.MaxRemovalShare < 0 || s.MaxRemovalShare > 1 || s.ConfirmRemovalsAfter < 0 {
		return bad("max_removals, max_removal_share (a fraction up to 1) and confirm_removals_after must not be negative")
	}
	if s.MaxRows > 0 && s.MaxRows < s.MinRows {
		return bad("max_rows %d is below min_rows %d", s.MaxRows, s.MinRows)
	}
	if (s.AuthHeader != "" || s.AuthQuery != "") && s.TokenEnv == "" && s.TokenFile == "" {
		return bad("it sends a credential (auth_header/auth_query) but neither token_env nor token_file says where to read it")
	}
	if err := s.validateSkips(); err != nil {
		return bad("%v", err)
	}
	switch s.Kind {
	case KindAPI:
		if s.Mode == ModeIncremental && s.SinceParam == "" {
			return bad("incremental mode needs since_param")
		}
		_, err = s.apiConfig(l, nil)
	case KindHTML:
		if s.Mode == ModeIncremental {
			return bad("html sources are snapshots")
		}
		_, err = s.htmlConfig(l, nil)
	case KindFile:
		if s.Path == "" {
			return bad("file sources need path")
		}
	default:
		return bad("kind %q: want api, html or file", s.Kind)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return nil
}

// validateSkips refuses a skip_checks entry without a reason, naming no
// known check, naming one twice, or one the source's kind does not run or
// its own settings ask for (page_count_selector with page_count off).
func (s Source) validateSkips() error {
	seen := map[fetch.SyncCheck]bool{}
	for i, sc := range s.SkipChecks {
		at := fmt.Sprintf("skip_checks[%d]", i)
		c, ok := fetch.LookupCheck(sc.Check)
		if !ok {
			var names []string
			for _, k := range fetch.Checks() {
				names = append(names, string(k))
			}
			return fmt.Errorf("%s: unknown check %q; checks: %s", at, sc.Check, strings.Join(names, ", "))
		}
		if strings.TrimSpace(sc.Reason) == "" {
			return fmt.Errorf("%s: check %s is switched off without a reason; write why this source cannot pass it (reason = \"…\")", at, c)
		}
		if seen[c] {
			return fmt.Errorf("%s: check %s is switched off twice", at, c)
		}
		seen[c] = true
		if !c.AppliesTo(s.Kind) {
			return fmt.Errorf("%s: check %s does not run for %s sources", at, c, s.Kind)
		}
		switch {
		case c == fetch.CheckPageCount && s.PageCountSelector != "":
			return fmt.Errorf("%s: page_count is switched off, but page_count_selector asks for the page count", at)
		case c == fetch.CheckRecordCount && s.RecordCountSelector != "":
			return fmt.Errorf("%s: record_count is switched off, but record_count_selector asks for the record count", at)
		}
	}
	return nil
}

// Enabled returns the sources to sync: the named ones (disabled or not),
// or every enabled one when names is empty.
func (c Config) Enabled(names []string) ([]Source, error) {
	if len(names) == 0 {
		var out []Source
		for _, s := range c.Sources {
			if !s.Disabled {
				out = append(out, s)
			}
		}
		return out, nil
	}
	var out []Source
	for _, n := range names {
		i := slices.IndexFunc(c.Sources, func(s Source) bool { return s.Name == n })
		if i < 0 {
			var known []string
			for _, s := range c.Sources {
				known = append(known, s.Name)
			}
			return nil, fmt.Errorf("%w: no source named %q; configured: %s", ErrConfig, n, strings.Join(known, ", "))
		}
		out = append(out, c.Sources[i])
	}
	return out, nil
}

// staleAfter is the source's staleness threshold.
func (s Source) staleAfter(set Settings) time.Duration {
	if s.MaxStaleness > 0 {
		return s.MaxStaleness
	}
	return set.MaxStaleness
}

// docNames fills the names a doc tag refers to rather than restates,
// from the contract and the presets.
func docNames() *strings.Replacer {
	var presets []string
	for _, l := range contract.ExternalNames() {
		for _, name := range PresetNames() {
			if p, _ := Preset(name); p.List == l {
				presets = append(presets, name)
			}
		}
	}
	return strings.NewReplacer(
		"{presets}", strings.Join(presets, ", "),
		"{preset lists}", strings.Join(presetLists(), ", "),
		"{external lists}", contract.OneOf(contract.ExternalNames()),
	)
}

// Reference documents every configuration key, from the struct tags
// the decoder reads, so the documentation cannot drift from the code.
func Reference() string {
	var b strings.Builder
	names := docNames()
	section := func(title string, t reflect.Type) {
		fmt.Fprintf(&b, "%s\n", title)
		for f := range t.Fields() {
			key := f.Tag.Get("toml")
			if key == "" {
				continue
			}
			fmt.Fprintf(&b, "  %-20s %s", key, names.Replace(f.Tag.Get("doc")))
			if d := f.Tag.Get("default"); d != "" {
				fmt.Fprintf(&b, " (default %s)", d)
			}
			if e := f.Tag.Get("example"); e != "" {
				fmt.Fprintf(&b, "; e.g. %s", e)
			}
			b.WriteByte('\n')
		}
	}
	section("[sync]", reflect.TypeFor[Settings]())
	section("\n[[source]]", reflect.TypeFor[Source]())
	b.WriteString("\nchecks a source may switch off (skip_checks):\n")
	for _, c := range fetch.Checks() {
		fmt.Fprintf(&b, "  %-20s %s\n", c, c.Doc())
	}
	b.WriteString("\npresets:\n")
	for _, name := range PresetNames() {
		p, _ := Preset(name)
		fmt.Fprintf(&b, "  %-24s %s, %s %s\n", name, p.List, p.Kind, presetNotes[name])
	}
	return b.String()
}

// Keys lists the TOML keys of a [[source]], for tests of the example.
func Keys() []string {
	var out []string
	for _, t := range []reflect.Type{reflect.TypeFor[Settings](), reflect.TypeFor[Source]()} {
		for f := range t.Fields() {
			if k := f.Tag.Get("toml"); k != "" {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}
