package embedded

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/store"
)

// formatName is what an output format name looks like; it is sent to the
// engine, which rejects names it does not know.
var formatName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)

// settingName is what a setting's name looks like.
var settingName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// zoneName is what an IANA zone name looks like (it is quoted into SET).
var zoneName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-/]*$`)

// QueryFormatted implements store.Formatter: the engine formats the result
// and its bytes go to w chunk by chunk, so memory does not grow with the
// number of rows.
//
// Each call runs on a connection of its own, opened for it and closed
// after: the session settings (time zone, limits, readonly) are set on it
// once and readonly=1 stays until it closes, so no statement can lift it,
// and the pool's connections are never left read-only or in another zone.
func (s *Store) QueryFormatted(ctx context.Context, w io.Writer, query string, opt store.FormatOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	format := opt.Format
	if format == "" {
		format = "TabSeparatedWithNames"
	}
	if !formatName.MatchString(format) {
		return fmt.Errorf("output format %q is not a ClickHouse format name", format)
	}
	marker := newMarker()
	effective := format
	if !opt.FormatFixed {
		effective = effectiveFormat(query, format)
	}
	out := outputFor(effective, opt.Settings)
	if opt.Materialize {
		out = output{how: whole}
	}
	opt = onePieceLimit(opt, out)
	settings, err := sessionFor(opt, marker)
	if err != nil {
		return err
	}
	c, err := s.dedicated(settings)
	if err != nil {
		return err
	}
	defer s.closeDedicated(c)
	return s.stream(ctx, c, w, query, format, out, marker, opt)
}

// onePieceLimit bounds the result of a format produced in one piece by
// the session's memory limit (the engine's max_result_bytes, refused
// with TOO_MANY_ROWS_OR_BYTES past it): the engine builds such a result
// whole, outside the query's memory limit. The engine counts a result's
// blocks as it holds them, so a constant or a LowCardinality value
// repeated over a block's rows counts once a block.
func onePieceLimit(opt store.FormatOptions, out output) store.FormatOptions {
	if out.how != whole || opt.Materialize || opt.MaxMemoryUsage == 0 {
		return opt
	}
	if opt.MaxResultBytes == 0 || opt.MaxResultBytes > opt.MaxMemoryUsage {
		opt.MaxResultBytes = opt.MaxMemoryUsage
	}
	return opt
}

// sessionFor lists the SET statements for opt; readonly comes last since
// after it nothing can be set.
func sessionFor(opt store.FormatOptions, marker string) ([]string, error) {
	// JSON has no NaN or Inf; quoted, they stay distinct from NULL. The
	// marker names the session's queries in system.processes, to kill them
	// by (the query's text stays as written, so error positions hold).
	set := []string{"SET log_comment = '" + marker + "'"}
	if opt.EngineDefaults {
		set = append(set, "SET output_format_json_quote_64bit_integers = 1", "SET output_format_json_quote_denormals = 0")
	} else {
		set = append(set, "SET output_format_json_quote_denormals = 1")
	}
	if opt.Database != "" {
		if !databaseName.MatchString(opt.Database) {
			return nil, fmt.Errorf("database name %q must be letters, digits and underscores", opt.Database)
		}
		set = append(set, "USE "+opt.Database)
	}
	if opt.TimeZone != "" {
		if !zoneName.MatchString(opt.TimeZone) {
			return nil, fmt.Errorf("time zone %q is not a zone name", opt.TimeZone)
		}
		set = append(set, "SET session_timezone = '"+opt.TimeZone+"'")
	}
	if opt.MaxResultRows > 0 {
		set = append(set, "SET max_result_rows = "+strconv.FormatUint(opt.MaxResultRows, 10), "SET result_overflow_mode = 'throw'")
	}
	if opt.MaxResultBytes > 0 {
		set = append(set, "SET max_result_bytes = "+strconv.FormatUint(opt.MaxResultBytes, 10), "SET result_overflow_mode = 'throw'")
	}
	if opt.MaxExecutionTime > 0 {
		set = append(set, "SET max_execution_time = "+strconv.FormatFloat(opt.MaxExecutionTime.Seconds(), 'f', 3, 64))
	}
	if opt.MaxMemoryUsage > 0 {
		set = append(set, "SET max_memory_usage = "+strconv.FormatUint(opt.MaxMemoryUsage, 10))
	}
	if opt.MaxThreads > 0 {
		set = append(set, "SET max_threads = "+strconv.FormatUint(opt.MaxThreads, 10))
	}
	if opt.Yield {
		set = append(set, "SET priority = "+strconv.Itoa(yieldingPriority))
	}
	// A client's max_query_size bounds the session's own SETs too, which
	// it never sent (a county's catalog filter is longer than 200 bytes):
	// it is set last of all but readonly, to bound the statement alone.
	var parsing []string
	for _, st := range opt.Settings {
		if !settingName.MatchString(st.Name) {
			return nil, fmt.Errorf("setting name %q must be letters, digits and underscores", st.Name)
		}
		q := "SET " + st.Name + " = " + quoteString(st.Value)
		if st.Name == "max_query_size" {
			parsing = append(parsing, q)
			continue
		}
		set = append(set, q)
	}
	if !opt.Writable {
		// Functions that read the process itself (its symbols, its
		// binary's paths) tell a reader about the host, not the data.
		// The statistics JSON and XML write (rows_read, bytes_read) count
		// what the engine read below a view's filter: another county's
		// rows too.
		set = append(set, "SET allow_introspection_functions = 0", "SET output_format_write_statistics = 0")
	}
	set = append(set, parsing...)
	switch {
	case opt.Writable:
	case opt.StatementSettings:
		set = append(set, "SET readonly = 2")
	default:
		set = append(set, "SET readonly = 1")
	}
	return set, nil
}

// dedicated opens a connection outside the pool with extra settings.
func (s *Store) dedicated(settings []string) (*conn, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, errors.New("embedded store is closed")
	}
	engine.Lock()
	c, err := s.connect(s.path, "")
	engine.Unlock()
	if err != nil {
		return nil, err
	}
	for _, q := range settings {
		r, err := s.runOn(c, q, "", nil)
		if err != nil {
			s.closeDedicated(c)
			return nil, fmt.Errorf("prepare session: %s: %w", q, err)
		}
		r.release()
	}
	return c, nil
}

func (s *Store) closeDedicated(c *conn) {
	engine.Lock()
	defer engine.Unlock()
	s.lib.closeConn(c.ptr)
	engine.conns--
	if engine.conns == 0 && engine.owner != nil {
		engine.owner.release(false)
		engine.owner = nil
	}
}

// headerOnlyEnd reports whether err, on fetching chunk n, is how the
// engine ends an empty result whose format writes skip header lines:
// only the header came before it, as the first chunk, with no rows.
func headerOnlyEnd(err error, n, skip int, rows uint64) bool {
	return n == 1 && skip > 0 && rows == 0 && strings.Contains(err.Error(), "No active streaming query")
}

// formatClause finds a trailing FORMAT clause, which wins over the
// format asked for.
var formatClause = regexp.MustCompile(`(?is)\bFORMAT\s+([A-Za-z0-9]+)(\s+SETTINGS\b[^'"]*)?\s*;?\s*$`)

// effectiveFormat is the format the engine will write query in.
func effectiveFormat(query, format string) string {
	if m := formatClause.FindStringSubmatch(query); m != nil {
		return m[1]
	}
	return format
}

// stream runs query on c and copies its output to w, chunk by chunk when
// out says to (outputFor). When ctx ends the query is killed in the engine.
func (s *Store) stream(ctx context.Context, c *conn, w io.Writer, query, format string, out output, marker string, opt store.FormatOptions) error {
	values, err := store.FormatParams(opt.Params)
	if err != nil {
		return err
	}
	// A fetch blocks until the engine has a chunk, which for an aggregation
	// may take as long as the whole query, and chdb's own cancel waits for
	// the fetch; so the query is killed from another connection, found by
	// the marker its session carries.
	// Killed again and again until the query has returned: a cancel that
	// comes before the engine has registered the query finds nothing to
	// kill, and the query would then run on (a busy machine widens that
	// moment).
	returned := make(chan struct{})
	defer close(returned)
	stop := context.AfterFunc(ctx, func() {
		for {
			s.kill(marker)
			select {
			case <-returned:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	})
	defer stop()

	if out.how == whole {
		return s.materialized(ctx, c, w, query, format, values, opt.Progress)
	}
	var doc *jsonDocument
	if out.how == document {
		doc = &jsonDocument{w: w}
	}
	ptr, err := withParams(c, query, format, values, s.lib.streamQueryWithParams)
	if err != nil {
		return err
	}
	if ptr == 0 {
		return errors.New("chdb returned no result")
	}
	head := result{lib: s.lib, ptr: ptr}
	defer head.release()
	if err := head.err(); err != nil {
		if strings.Contains(err.Error(), "Streaming query is not supported") {
			// INSERT, SET, DDL…: not streamable, and they return little.
			return s.materialized(ctx, c, w, query, format, values, opt.Progress)
		}
		return err
	}

	var p store.Progress
	for n := 0; ; n++ {
		chunk := s.lib.streamFetch(c.handle, ptr)
		if err := ctx.Err(); err != nil {
			if chunk != 0 {
				s.lib.destroyResult(chunk)
			}
			return err
		}
		if chunk == 0 {
			return errors.New("chdb returned no chunk")
		}
		r := result{lib: s.lib, ptr: chunk}
		if err := r.err(); err != nil {
			r.release()
			if headerOnlyEnd(err, n, out.header, p.ResultRows) {
				// An empty result of a format with header lines: the
				// engine's first chunk is the header, and it then ends the
				// stream with this error instead of an empty chunk. The
				// header alone is the whole answer.
				if opt.Progress != nil {
					opt.Progress(p)
				}
				return nil
			}
			return err
		}
		b := r.bytes()
		// The rows read since the chunk before: the empty chunk that
		// ends the result counts the last of them.
		p.ReadRows += s.lib.resultStorageRowsRead(chunk)
		if len(b) == 0 {
			r.release()
			if doc != nil {
				// The document's end is part of the answer's bytes.
				written, err := doc.close()
				p.ResultBytes += uint64(written)
				if err != nil {
					return fmt.Errorf("write result: %w", err)
				}
			}
			if opt.Progress != nil {
				opt.Progress(p)
			}
			return nil
		}
		p.ResultRows += s.lib.resultRowsRead(chunk)
		var written int
		var last bool
		var err error
		switch {
		case doc != nil:
			written, last, err = doc.add(b)
		case n > 0:
			written, err = w.Write(dropHeader(b, out))
		default:
			written, err = w.Write(b)
		}
		p.ResultBytes += uint64(written)
		r.release()
		if err != nil {
			s.kill(marker)
			return fmt.Errorf("write result: %w", err)
		}
		if opt.Progress != nil {
			opt.Progress(p)
		}
		if last {
			written, err := doc.close()
			p.ResultBytes += uint64(written)
			if opt.Progress != nil {
				opt.Progress(p)
			}
			if err != nil {
				return fmt.Errorf("write result: %w", err)
			}
			return nil
		}
	}
}

// materialized runs a statement in one piece (formats that wrap the
// whole result; INSERT, SET, DDL) and writes its output.
func (s *Store) materialized(ctx context.Context, c *conn, w io.Writer, query, format string, values map[string]string, progress func(store.Progress)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	params := make(store.Params, len(values))
	for k, v := range values {
		params[k] = store.RawParam(v)
	}
	r, qerr := s.runOn(c, query, format, params)
	if cerr := ctx.Err(); cerr != nil {
		if qerr == nil {
			r.release()
		}
		return cerr
	}
	if qerr != nil {
		return qerr
	}
	defer r.release()
	n, err := w.Write(r.bytes())
	if progress != nil {
		progress(store.Progress{ReadRows: s.lib.resultStorageRowsRead(r.ptr), ResultRows: s.lib.resultRowsRead(r.ptr), ResultBytes: uint64(n)})
	}
	if err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// newMarker returns a log_comment unique to one query's session, to find
// it in system.processes.
func newMarker() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "creditsync-query-" + hex.EncodeToString(b[:])
}

// kill stops the query carrying marker, if it still runs.
func (s *Store) kill(marker string) {
	c, err := s.dedicated(nil)
	if err != nil {
		return
	}
	defer s.closeDedicated(c)
	r, err := s.runOn(c, "KILL QUERY WHERE Settings['log_comment'] = '"+marker+"' ASYNC", "", nil)
	if err == nil {
		r.release()
	}
}
