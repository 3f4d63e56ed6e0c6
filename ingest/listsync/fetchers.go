package listsync

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/api"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/ingest/htmllist"
	"github.com/xuchang-hrss/creditsync/zone"
)

// page is what every kind of source yields.
type page struct {
	Number   int
	URL      string
	Status   int
	Body     []byte
	Encoding string
	Header   []string
	Records  [][]string
	Unused   []string
	Total    int // as announced (records or pages) for progress, -1 if not
	Claimed  int // records the source says the whole listing has, -1 if it says none
	Next     string
	// Mislabelled says how the page's charset label was wrong, "" when
	// it was right.
	Mislabelled string
}

// fetcher reads a source page by page from a resume token.
type fetcher interface {
	Fetch(ctx context.Context, from string, fn func(page) error) error
}

type apiFetcher struct{ c *api.Client }

func (f apiFetcher) Fetch(ctx context.Context, from string, fn func(page) error) error {
	return f.c.Fetch(ctx, from, func(p api.Page) error { return fn(apiPage(p)) })
}

func apiPage(p api.Page) page {
	return page{Number: p.Number, URL: p.URL, Status: p.Status, Body: p.Body, Encoding: p.Encoding, Header: p.Header,
		Records: p.Records, Unused: p.Unused, Total: p.Total, Claimed: p.Claimed, Next: p.Next, Mislabelled: p.Mislabelled}
}

type htmlFetcher struct{ c *htmllist.Client }

func (f htmlFetcher) Fetch(ctx context.Context, from string, fn func(page) error) error {
	return f.c.Fetch(ctx, from, func(p htmllist.Page) error { return fn(htmlPage(p)) })
}

func htmlPage(p htmllist.Page) page {
	return page{Number: p.Number, URL: p.URL, Status: p.Status, Body: p.Body, Encoding: p.Encoding, Header: p.Header,
		Records: p.Records, Unused: p.Unused, Total: p.Total, Claimed: p.Claimed, Next: p.Next, Mislabelled: p.Mislabelled}
}

// fileFetcher reads the newest file a sharing platform dropped: the whole
// file is one page, and so one complete snapshot.
type fileFetcher struct {
	name, glob string
	list       *contract.List
}

func (f fileFetcher) Fetch(ctx context.Context, from string, fn func(page) error) error {
	matches, err := filepath.Glob(f.glob)
	if err != nil {
		return fmt.Errorf("%s: path %q: %w", f.name, f.glob, err)
	}
	type dropped struct {
		path string
		mod  time.Time
	}
	var files []dropped
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
			files = append(files, dropped{m, st.ModTime()})
		}
	}
	if len(files) == 0 {
		return &fetch.Error{Source: f.name, URL: f.glob, Err: fmt.Errorf("%w: no file matches %s", fetch.ErrIncomplete, f.glob),
			Hint: "the sharing platform has not dropped a file yet, or path is wrong"}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mod.After(files[j].mod) })
	path := files[0].path
	body, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", f.name, err)
	}
	r, err := file.Open(path)
	if err != nil {
		return &fetch.Error{Source: f.name, URL: path, Err: fmt.Errorf("%w: %v", fetch.ErrMalformed, err)}
	}
	defer r.Close()
	p := page{Number: 1, URL: path, Encoding: r.Encoding(), Header: r.Header(), Total: 1, Claimed: -1}
	for {
		_, fields, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return &fetch.Error{Source: f.name, URL: path, Err: fmt.Errorf("%w: %v", fetch.ErrMalformed, err)}
		}
		p.Records = append(p.Records, fields)
	}
	if m, err := f.list.Map(p.Header); err == nil {
		p.Unused = m.Extra()
	} else {
		return &fetch.Error{Source: f.name, URL: path, Err: fmt.Errorf("%w: %v", fetch.ErrLayout, err)}
	}
	if len(body) > 8<<20 {
		body = nil // keep raw_pages small; the file itself stays in the drop
	}
	p.Body = body
	return fn(p)
}

// newFetcher builds the fetcher of a source; since is the incremental
// watermark, previous the records the last complete snapshot held (0:
// none, or not needed).
func (s Source) newFetcher(set Settings, l *contract.List, log *slog.Logger, since *time.Time, previous int) (fetcher, error) {
	switch s.Kind {
	case KindAPI:
		cfg, err := s.apiConfig(l, log)
		if err != nil {
			return nil, err
		}
		cfg.Policy.UserAgent = set.UserAgent
		if cfg.Auth.Secret, err = fetch.SecretFrom(s.TokenEnv, s.TokenFile); err != nil {
			return nil, &fetch.Error{Source: s.Name, Err: err, Hint: "set the variable named by token_env (or the file named by token_file) for this source"}
		}
		if s.Mode == ModeIncremental && since != nil {
			cfg.Query[s.SinceParam] = since.In(zone.Shanghai).Format(s.SinceFormat)
		}
		c, err := api.New(cfg, l)
		if err != nil {
			return nil, err
		}
		return apiFetcher{c}, nil
	case KindHTML:
		cfg, err := s.htmlConfig(l, log)
		if err != nil {
			return nil, err
		}
		cfg.Policy.UserAgent = set.UserAgent
		cfg.Previous = previous
		if cfg.Auth.Secret, err = fetch.SecretFrom(s.TokenEnv, s.TokenFile); err != nil {
			return nil, &fetch.Error{Source: s.Name, Err: err, Hint: "set the variable named by token_env (or the file named by token_file) for this source"}
		}
		c, err := htmllist.New(cfg, l)
		if err != nil {
			return nil, err
		}
		return htmlFetcher{c}, nil
	}
	return fileFetcher{name: s.Name, glob: s.Path, list: l}, nil
}

// location is where the source's records come from, as stored with them
// (their batch's source_ref, which analysts and counties read): the file
// pattern, or the listing's address with its credentials redacted — a
// token written in the configured URL is no reader's business — and, for
// a listing fetched by page number, its first page or page template.
func (s Source) location() string {
	if s.Kind == KindFile {
		return s.Path
	}
	auth := fetch.Auth{Query: s.AuthQuery}
	auth.Secret, _ = fetch.SecretFrom(s.TokenEnv, s.TokenFile) // a missing secret failed the fetch already
	for _, u := range []string{s.URL, s.FirstPageURL, s.PageTemplate} {
		if u != "" {
			return fetch.RedactURL(u, auth)
		}
	}
	return ""
}

func (s Source) policy() fetch.Policy {
	return fetch.Policy{Timeout: s.Timeout, Retries: s.Retries, BackoffMin: s.BackoffMin, BackoffMax: s.BackoffMax,
		MaxRetryAfter: s.MaxRetryAfter, Rate: s.Rate, Burst: s.Burst}
}

func (s Source) apiConfig(l *contract.List, log *slog.Logger) (api.Config, error) {
	cfg := api.Config{
		Name: s.Name, URL: s.URL, Query: map[string]string{}, Policy: s.policy(), MaxPages: s.MaxPages, Logger: log,
		Auth: fetch.Auth{Header: s.AuthHeader, Query: s.AuthQuery, Prefix: s.AuthPrefix},
		Pagination: api.Pagination{Mode: s.Pagination, PageParam: s.PageParam, SizeParam: s.SizeParam, Size: s.PageSize,
			FirstPage: s.FirstPage, TotalPath: s.TotalPath, CursorParam: s.CursorParam, CursorPath: s.CursorPath, NextPath: s.NextPath},
		RecordsPath: s.RecordsPath, StatusPath: s.StatusPath, StatusOK: s.StatusOK, MessagePath: s.MessagePath,
		Method: s.Method, BodyFormat: s.BodyFormat, Optional: s.OptionalFields, Skip: s.skips(),
	}
	for k, v := range s.Query {
		cfg.Query[k] = v
	}
	// Contract order, so the header reads the same on every run.
	for _, c := range l.Columns {
		if path, ok := s.Fields[c.Key]; ok {
			cfg.Fields = append(cfg.Fields, api.Field{Column: c.Key, Path: path, Format: s.DateFormats[c.Key]})
		}
	}
	for k := range s.Fields {
		if _, ok := l.Column(k); !ok {
			return cfg, fmt.Errorf("source %q: fields: list %s has no column %s", s.Name, l.Name, k)
		}
	}
	for k := range s.DateFormats {
		if _, ok := s.Fields[k]; !ok {
			return cfg, fmt.Errorf("source %q: date_formats.%s has no field mapping", s.Name, k)
		}
	}
	_, err := api.New(cfg, l)
	return cfg, err
}

func (s Source) htmlConfig(l *contract.List, log *slog.Logger) (htmllist.Config, error) {
	cfg := htmllist.Config{
		Name: s.Name, URL: s.URL, PageTemplate: s.PageTemplate, FirstPage: s.FirstPage, RowSelector: s.RowSelector,
		HeaderSelector: s.HeaderSelector, Headers: s.Headers, Cells: s.Cells, NextSelector: s.NextSelector,
		PageCountSelector: s.PageCountSelector, EmptyText: s.EmptyText, Policy: s.policy(), MaxPages: s.MaxPages, Logger: log,
		FirstPageURL: s.FirstPageURL, PageCountPattern: s.PageCountPattern, RecordCountSelector: s.RecordCountSelector,
		RecordCountPattern: s.RecordCountPattern, Skip: s.skips(),
		Auth: fetch.Auth{Header: s.AuthHeader, Query: s.AuthQuery, Prefix: s.AuthPrefix},
	}
	_, err := htmllist.New(cfg, l)
	return cfg, err
}
