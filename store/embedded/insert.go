package embedded

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xuchang-hrss/creditsync/store"
)

// insertChunk is how much TabSeparated text one INSERT carries. Larger
// chunks amortise the statement and make fewer parts; smaller ones bound
// memory.
const insertChunk = 16 << 20

// inlineLimit is the largest chunk sent inside the INSERT statement
// itself. A larger one is written to a file the engine reads with the
// file() table function: libchdb parses data given inline in a query
// several times slower than the same data read from a file (a million
// list rows, 350 MB of TSV: 8 CPU-seconds inline, 1.3 from a file).
const inlineLimit = 256 << 10

// Insert implements store.Store by streaming rows as TabSeparated text in
// chunks, so memory stays bounded whatever the number of rows. TSV is the
// cheapest text format for ClickHouse to parse and for Go to write.
func (s *Store) Insert(ctx context.Context, table string, columns []string, rows iter.Seq2[[]any, error]) (int64, error) {
	types, err := s.columnTypes(ctx, table)
	if err != nil {
		return 0, err
	}
	colTypes := make([]string, len(columns))
	structure := make([]string, len(columns))
	for i, c := range columns {
		t, ok := types[c]
		if !ok {
			return 0, fmt.Errorf("insert into %s: no column %q", table, c)
		}
		colTypes[i], _ = store.BaseType(t)
		structure[i] = quoteIdent(c) + " " + t
	}
	ins := &chunkInsert{
		store:    s,
		table:    table,
		inline:   fmt.Sprintf("INSERT INTO %s (%s) FORMAT TabSeparated\n", table, joinIdents(columns)),
		fromFile: fmt.Sprintf("INSERT INTO %s (%s) SELECT * FROM file({path:String}, 'TabSeparated', %s)", table, joinIdents(columns), quoteString(strings.Join(structure, ", "))),
	}
	defer ins.cleanup()

	// Encoding (here) and the engine's parsing (in the sender) overlap:
	// one chunk is parsed while the next is written. Two buffers take
	// turns. A chunk larger than spillSize goes to its file as it is
	// encoded, so a buffer never grows past that: growing two buffers to
	// a chunk's size was most of what a large insert allocated.
	type chunk struct {
		buf  *bytes.Buffer
		file *os.File // a chunk that spilled; buf holds what follows
		rows int64
	}
	chunks := make(chan chunk, 1)
	free := make(chan *bytes.Buffer, 2)
	for range 2 {
		// Not grown ahead: most inserts are small (a page, a batch
		// record). Buffers are reused across inserts (chunkBuffers).
		free <- chunkBuffers.Get().(*bytes.Buffer)
	}
	defer func() {
		for range 2 {
			if b := <-free; b.Cap() <= 4*spillSize {
				b.Reset()
				chunkBuffers.Put(b)
			}
		}
	}()
	sendErr := make(chan error, 1)
	var sent int64
	var stopped atomic.Bool // the sender failed; stop encoding
	go func() {
		var failed error
		for c := range chunks {
			if failed == nil {
				if c.file != nil {
					failed = ins.sendFile(ctx, c.file.Name())
				} else {
					failed = ins.send(ctx, c.buf.Bytes())
				}
				if failed != nil {
					stopped.Store(true)
				} else {
					sent += c.rows
				}
			}
			if c.file != nil {
				_ = os.Remove(c.file.Name())
			}
			c.buf.Reset()
			free <- c.buf // never blocks: there are two buffers and room for two
		}
		sendErr <- failed
	}()
	cur := chunk{buf: <-free}
	finish := func(err error) (int64, error) {
		close(chunks)
		if serr := <-sendErr; serr != nil && err == nil {
			err = serr
		}
		if cur.buf != nil {
			if cur.file != nil {
				_ = cur.file.Close()
			}
			cur.buf.Reset()
			free <- cur.buf // room: the sender has given back the others
		}
		return sent, err
	}
	// spill writes the chunk's buffer to its file, made at the first
	// spill, and empties it.
	spill := func() error {
		if cur.file == nil {
			f, err := ins.newFile()
			if err != nil {
				return err
			}
			cur.file = f
		}
		if _, err := cur.file.Write(cur.buf.Bytes()); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		cur.buf.Reset()
		return nil
	}
	// closeFile ends a spilled chunk: the rest of its rows go to its file.
	closeFile := func() error {
		if cur.file == nil {
			return nil
		}
		err := spill()
		if cerr := cur.file.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("insert into %s: %w", table, cerr)
		}
		return err
	}
	var spilled int // bytes of the current chunk in its file

	for row, err := range rows {
		if err != nil {
			return finish(err)
		}
		if len(row) != len(columns) {
			return finish(fmt.Errorf("insert into %s: row has %d values for %d columns", table, len(row), len(columns)))
		}
		if err := encodeRow(cur.buf, columns, colTypes, row); err != nil {
			return finish(fmt.Errorf("insert into %s: %w", table, err))
		}
		cur.rows++
		if cur.buf.Len() < spillSize {
			continue
		}
		spilled += cur.buf.Len()
		if err := spill(); err != nil {
			return finish(err)
		}
		if spilled >= insertChunk {
			if stopped.Load() {
				return finish(nil)
			}
			if err := closeFile(); err != nil {
				return finish(err)
			}
			chunks <- cur
			cur, spilled = chunk{buf: <-free}, 0
		}
	}
	if cur.rows > 0 {
		if err := closeFile(); err != nil {
			return finish(err)
		}
		chunks <- cur
		cur.buf = nil
	}
	return finish(nil)
}

// spillSize is how much of a chunk is encoded in memory before it goes
// to the chunk's file; above inlineLimit, so a chunk that spills is sent
// from a file anyway.
const spillSize = 1 << 20

// chunkInsert sends the chunks of one Insert, inline when small, else
// through a file of a private directory, made at the first such chunk.
type chunkInsert struct {
	store            *Store
	table            string
	inline, fromFile string
	dir              string
	n                int
}

// newFile makes the file of the next chunk sent from a file.
func (ins *chunkInsert) newFile() (*os.File, error) {
	if ins.dir == "" {
		var err error
		if ins.dir, err = os.MkdirTemp("", "creditsync-insert-"); err != nil {
			return nil, fmt.Errorf("insert into %s: %w", ins.table, err)
		}
	}
	ins.n++
	f, err := os.OpenFile(filepath.Join(ins.dir, strconv.Itoa(ins.n)+".tsv"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("insert into %s: %w", ins.table, err)
	}
	return f, nil
}

func (ins *chunkInsert) send(ctx context.Context, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(data) <= inlineLimit {
		c, err := ins.store.take()
		if err != nil {
			return err
		}
		defer func() { ins.store.pool <- c }()
		q := make([]byte, 0, len(ins.inline)+len(data))
		q = append(append(q, ins.inline...), data...)
		r, err := ins.store.runBytes(c, q, "")
		if err != nil {
			return fmt.Errorf("insert into %s: %w", ins.table, err)
		}
		r.release()
		return nil
	}
	f, err := ins.newFile()
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("insert into %s: %w", ins.table, err)
	}
	return ins.sendFile(ctx, f.Name())
}

// sendFile inserts the chunk written to the file at path.
func (ins *chunkInsert) sendFile(ctx context.Context, path string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := ins.store.take()
	if err != nil {
		return err
	}
	defer func() { ins.store.pool <- c }()
	r, err := ins.store.runOn(c, ins.fromFile, "", store.Params{"path": path})
	if err != nil {
		return fmt.Errorf("insert into %s: %w", ins.table, err)
	}
	r.release()
	return nil
}

func (ins *chunkInsert) cleanup() {
	if ins.dir != "" {
		_ = os.RemoveAll(ins.dir)
	}
}

// chunkBuffers are the buffers Insert encodes chunks in, kept between
// inserts.
var chunkBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func encodeRow(buf *bytes.Buffer, columns, types []string, row []any) error {
	for i, v := range row {
		if i > 0 {
			buf.WriteByte('\t')
		}
		if err := encodeValue(buf, types[i], v); err != nil {
			return fmt.Errorf("column %s: %w", columns[i], err)
		}
	}
	buf.WriteByte('\n')
	return nil
}

// encodeValue writes one value in TabSeparated form.
func encodeValue(buf *bytes.Buffer, typ string, v any) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString(`\N`)
	case string:
		writeTSVString(buf, x)
	case bool:
		if x {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case time.Time:
		var scratch [32]byte
		buf.Write(store.AppendTime(scratch[:0], x, typ))
	case *time.Time:
		if x == nil {
			buf.WriteString(`\N`)
			return nil
		}
		return encodeValue(buf, typ, *x)
	case int:
		buf.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case int32:
		buf.WriteString(strconv.FormatInt(int64(x), 10))
	case uint64:
		buf.WriteString(strconv.FormatUint(x, 10))
	case uint32:
		buf.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint16:
		buf.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint8:
		buf.WriteString(strconv.FormatUint(uint64(x), 10))
	case float64:
		buf.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case []string:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			// Array elements are quoted literals, escaped once (not
			// TSV-escaped again).
			buf.WriteByte('\'')
			buf.WriteString(arrayEscaper.Replace(e))
			buf.WriteByte('\'')
		}
		buf.WriteByte(']')
	case map[string]string:
		// A Map(String, String) literal; keys in order, so that equal
		// maps are written alike.
		buf.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				buf.WriteByte(',')
			}
			for j, e := range [2]string{k, x[k]} {
				if j > 0 {
					buf.WriteByte(':')
				}
				buf.WriteByte('\'')
				buf.WriteString(arrayEscaper.Replace(e))
				buf.WriteByte('\'')
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("cannot insert a value of type %T", v)
	}
	return nil
}

var arrayEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\t", `\t`, "\n", `\n`, "\r", `\r`, "\x00", `\0`)

// writeTSVString escapes the characters TabSeparated gives meaning to.
func writeTSVString(buf *bytes.Buffer, s string) {
	if tsvPlain(s) {
		buf.WriteString(s)
		return
	}
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '\\':
			esc = `\\`
		case '\t':
			esc = `\t`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case 0:
			esc = `\0`
		default:
			continue
		}
		buf.WriteString(s[start:i])
		buf.WriteString(esc)
		start = i + 1
	}
	buf.WriteString(s[start:])
}

// tsvPlain reports whether s has no byte TabSeparated escapes, which is
// most values. One vectorised search per byte (strings.IndexByte) runs
// several times faster than looking at each byte in turn, and an insert
// writes every value it sends (a sync's pages and records, tens of MB).
func tsvPlain(s string) bool {
	return strings.IndexByte(s, '\\') < 0 && strings.IndexByte(s, '\t') < 0 && strings.IndexByte(s, '\n') < 0 &&
		strings.IndexByte(s, '\r') < 0 && strings.IndexByte(s, 0) < 0
}

// quoteString writes s as a ClickHouse string literal.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// quoteIdent writes a column name as a ClickHouse identifier.
func quoteIdent(s string) string {
	return "`" + strings.NewReplacer("`", "``").Replace(s) + "`"
}
