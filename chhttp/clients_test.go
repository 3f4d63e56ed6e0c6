package chhttp_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/ch-go/compress"
	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/klauspost/compress/zstd"

	"github.com/xuchang-hrss/creditsync/chhttp"
	"github.com/xuchang-hrss/creditsync/peer"
	"github.com/xuchang-hrss/creditsync/serve"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// failsMidStream fails after more than the endpoint holds back (64 KiB),
// so that the 200 is gone when the error comes.
const failsMidStream = "SELECT number, throwIf(number = 5000000, 'boom at row 5000000') FROM numbers(6000000)"

// jsClient runs the official JS client (installed by make setup) with its
// defaults.
func jsClient(t *testing.T, srv string, token, query string) map[string]any {
	t.Helper()
	return jsClientWith(t, srv, token, query, nil)
}

// An error after the first rows must reach the official clients as an
// error, not as rows or as a garbled value.
func TestMidStreamErrorIsRaisedByClients(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	res := jsClient(t, srv.URL, cityToken, failsMidStream)
	if msg, _ := res["error"].(string); !strings.Contains(msg, "boom at row 5000000") {
		t.Errorf("JS client: %v, want the engine's error raised", res)
	}
	if res := jsClient(t, srv.URL, cityToken, "SELECT number FROM numbers(300000)"); res["rows"] != float64(300000) {
		t.Errorf("JS client without an error: %v", res)
	}

	conn := open(t, srv, cityToken)
	rows, err := conn.Query(context.Background(), failsMidStream)
	if err == nil {
		n := 0
		for rows.Next() {
			n++
		}
		err = rows.Err()
		rows.Close()
		if err == nil {
			t.Fatalf("clickhouse-go read %d rows and no error", n)
		}
	}
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) || ex.Code != 395 {
		t.Errorf("clickhouse-go: %v, want a *clickhouse.Exception with code 395", err)
	}

	// Plain HTTP: the block is tagged with the header's tag.
	a := post(t, srv, cityToken, failsMidStream, nil)
	tag := a.header.Get("X-ClickHouse-Exception-Tag")
	if a.status != 200 || tag == "" || !strings.HasSuffix(a.body, tag+"\r\n__exception__\r\n") || !strings.Contains(a.body, "\r\n__exception__\r\n"+tag+"\r\nCode: 395.") {
		t.Errorf("mid-stream block: status %d, tag %q, ends %q", a.status, tag, a.body[max(0, len(a.body)-200):])
	}
	// wait_end_of_query=1: the status is final.
	a = post(t, srv, cityToken, failsMidStream, url.Values{"wait_end_of_query": {"1"}})
	if a.status != 500 || a.header.Get("X-ClickHouse-Exception-Code") != "395" || !strings.HasPrefix(a.body, "Code: 395.") {
		t.Errorf("wait_end_of_query=1: %d %v %.200q", a.status, a.header, a.body)
	}
	a = post(t, srv, cityToken, "SELECT number FROM numbers(300000)", url.Values{"wait_end_of_query": {"1"}})
	if a.status != 200 || strings.Count(a.body, "\n") != 300000 {
		t.Errorf("wait_end_of_query=1 without an error: %d, %d lines", a.status, strings.Count(a.body, "\n"))
	}
}

// No token writes a file on the host.
func TestIntoOutfileIsRefused(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	dir := t.TempDir()
	for _, tok := range []string{cityToken, countyToken} {
		for i, q := range []string{
			"SELECT * FROM institutions INTO OUTFILE '%s'",
			"SELECT * FROM institutions INTO OUTFILE '%s' APPEND",
			"SELECT * FROM institutions INTO OUTFILE '%s' TRUNCATE FORMAT CSV",
			"SELECT 1 INTO OUTFILE '%s' COMPRESSION 'gzip'",
			"SHOW TABLES INTO OUTFILE '%s'",
			"DESCRIBE institutions INTO OUTFILE '%s'",
			"INSERT INTO FUNCTION file('%s', 'TSV') SELECT * FROM institutions",
		} {
			file := filepath.Join(dir, strings.ReplaceAll(tok[:4], "-", "")+string(rune('a'+i)))
			q := strings.ReplaceAll(q, "%s", file)
			a := post(t, srv, tok, q, nil)
			if a.status == 200 || a.header.Get("X-ClickHouse-Exception-Code") == "" {
				t.Errorf("%s: %d %q", q, a.status, a.body)
			}
			if _, err := os.Stat(file); err == nil {
				t.Errorf("%s wrote %s", q, file)
			}
		}
	}
}

// A token cancels its own query by query_id; not another's, not the
// store's own work (the nightly run), and never with KILL QUERY WHERE 1.
func TestCancellationBelongsToTheOwner(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{})
	const long = "SELECT count() FROM numbers(100000000000) WHERE NOT ignore(sipHash64(number))"
	started := make(chan struct{})
	var wg sync.WaitGroup
	var countyAnswer answer
	wg.Add(1)
	go func() {
		defer wg.Done()
		close(started)
		countyAnswer = post(t, srv, countyToken, long, url.Values{"query_id": {"county-long-1"}})
	}()
	// The store's own work, as the nightly run does it, beside them.
	nightly := make(chan error, 1)
	go func() {
		_, err := s.Query(context.Background(), "SELECT count() FROM numbers(300000000) WHERE NOT ignore(sipHash64(number))", nil)
		nightly <- err
	}()
	<-started
	time.Sleep(500 * time.Millisecond)
	for _, q := range []string{"KILL QUERY WHERE 1", "KILL QUERY WHERE query_id = 'county-long-1'"} {
		if a := post(t, srv, cityToken, q, nil); a.status != http.StatusForbidden || a.header.Get("X-ClickHouse-Exception-Code") != "497" {
			t.Errorf("city %s: %d %q", q, a.status, a.body)
		}
	}
	if a := post(t, srv, otherCountyToken, "KILL QUERY WHERE query_id = 'county-long-1'", nil); a.status != http.StatusForbidden {
		t.Errorf("another county killed the query: %d %q", a.status, a.body)
	}
	if a := post(t, srv, countyToken, "SELECT 1", url.Values{"query_id": {"county-long-1"}}); a.header.Get("X-ClickHouse-Exception-Code") != "216" {
		t.Errorf("a second query with a running id: %d %q", a.status, a.body)
	}
	// Ids are the token's own: another token's use of the id neither
	// collides nor tells it that the id is running.
	if a := post(t, srv, otherCountyToken, "SELECT 1", url.Values{"query_id": {"county-long-1"}}); a.status != 200 || a.body != "1\n" {
		t.Errorf("another county's query with the running id: %d %q", a.status, a.body)
	}
	a := post(t, srv, countyToken, "KILL QUERY WHERE query_id = 'county-long-1' SYNC", nil)
	if a.status != 200 || !strings.Contains(a.body, "county-long-1") {
		t.Errorf("the owner's KILL: %d %q", a.status, a.body)
	}
	wg.Wait()
	// As a server answers a killed query: 500, QUERY_WAS_CANCELLED (it
	// was 499, a status of no ClickHouse server).
	if countyAnswer.status != 500 || countyAnswer.header.Get("X-ClickHouse-Exception-Code") != "394" || countyAnswer.header.Get("X-ClickHouse-Exception-Name") != "QUERY_WAS_CANCELLED" {
		t.Errorf("the killed query answered %d %v %q", countyAnswer.status, countyAnswer.header, countyAnswer.body)
	}
	if err := <-nightly; err != nil {
		t.Errorf("the store's own query was cancelled: %v", err)
	}
}

// Every request leaves an audit row, refused ones included, which the
// city token can read.
func TestAuditRowOfARefusedQuery(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	createAuditTable(t, s)
	srv, _ := countyEndpoint(t, chhttp.Options{Store: s, Audit: chhttp.StoreAudit(s, nil)})
	q := "SELECT * FROM " + s.Database() + ".raw_pages"
	if a := post(t, srv, countyToken, q, url.Values{"query_id": {"audit-probe-1"}}); a.status != http.StatusForbidden {
		t.Fatalf("refused query answered %d", a.status)
	}
	a := post(t, srv, cityToken, "SELECT token, county_code, outcome, kind, query, error != '' FROM sql_audit WHERE query_id = 'audit-probe-1' FORMAT TSV", nil)
	want := "魏都区\t411002\tdenied\t\t" + strings.ReplaceAll(q, "\t", "\\t") + "\t1\n"
	if a.status != 200 || a.body != want {
		t.Errorf("audit row: %d %q, want %q", a.status, a.body, want)
	}
	// The county reads its own rows, not the city's.
	a = post(t, srv, countyToken, "SELECT DISTINCT token FROM sql_audit ORDER BY token FORMAT TSV", nil)
	if a.status != 200 || a.body != "魏都区\n" {
		t.Errorf("county's audit rows: %d %q", a.status, a.body)
	}
}

// Wrong tokens from one client do not lock out another, even behind one
// proxy; the throttled client gets 429 with Retry-After.
func TestWrongTokensDoNotLockOutOthers(t *testing.T) {
	proxies, _ := peer.ParseProxies([]string{"127.0.0.1"})
	srv, _ := countyEndpoint(t, chhttp.Options{Throttle: serve.NewThrottle(), Proxies: proxies})
	from := func(addr, token string) answer {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("SELECT 1"))
		req.Header.Set("X-ClickHouse-Key", token)
		req.Header.Set("X-Forwarded-For", addr)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return answer{status: resp.StatusCode, header: resp.Header}
	}
	if a := from("198.51.100.2", countyToken); a.status != 200 {
		t.Fatalf("valid token: %d", a.status)
	}
	for i := range 40 {
		from("198.51.100.1", "wrong-token-guess-"+strings.Repeat("x", i))
	}
	a := from("198.51.100.1", otherCountyToken)
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Errorf("the guessing address: %d, Retry-After %q; want 429 with Retry-After", a.status, a.header.Get("Retry-After"))
	}
	if a := from("198.51.100.2", countyToken); a.status != 200 {
		t.Errorf("another address's valid token: %d", a.status)
	}
	if a := from("198.51.100.3", cityToken); a.status != 200 {
		t.Errorf("a third address's valid token: %d", a.status)
	}
}

// createAuditTable runs the migrations of sql_audit, as the daemon's
// store has them.
func createAuditTable(t *testing.T, s store.Store) {
	t.Helper()
	ms, err := sql.Migrations(sql.Target{})
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, m := range ms {
		if !strings.HasPrefix(m.Name, "sql_audit") {
			continue
		}
		for _, q := range m.Statements {
			if err := s.Exec(context.Background(), q, nil); err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
		}
		ran++
	}
	if ran == 0 {
		t.Fatal("no sql_audit migration")
	}
}

// The trail keeps the statement as the engine parsed it, whatever
// comments surround it, and the head and tail of the text as sent: a
// long comment in front of a refused statement hid it in the kept text.
func TestAuditKeepsTheStatementBehindComments(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	createAuditTable(t, s)
	srv, _ := countyEndpoint(t, chhttp.Options{Store: s, Audit: chhttp.StoreAudit(s, nil)})
	pad := "/* " + strings.Repeat("quarterly figures, nothing to see ", 3000) + "*/"
	for _, c := range []struct {
		id, query string
		statement string // as TSV writes it
		status    int
	}{
		{"padded-refused", pad + "\nSELECT body FROM " + s.Database() + ".raw_pages " + pad, "SELECT body\\nFROM " + s.Database() + ".raw_pages", http.StatusForbidden},
		{"padded-allowed", pad + " select uscc from institutions -- " + pad + "\n", "SELECT uscc\\nFROM institutions", http.StatusOK},
	} {
		if a := post(t, srv, countyToken, c.query, url.Values{"query_id": {c.id}}); a.status != c.status {
			t.Fatalf("%s: %d %q", c.id, a.status, a.body)
		}
		a := post(t, srv, cityToken, "SELECT statement, length(query) < 20000, query LIKE '/* quarterly%', query LIKE '%bytes left out%' FROM sql_audit WHERE query_id = {id:String} FORMAT TSV", url.Values{"param_id": {c.id}})
		if want := c.statement + "\t1\t1\t1\n"; a.status != 200 || a.body != want {
			t.Errorf("%s: audit row %d %q, want %q", c.id, a.status, a.body, want)
		}
	}
	// Padding in the statement itself (a long array) pushes what it reads
	// out of the kept text; what it read is recorded whole.
	code := "[" + strings.Repeat("0,", 5000) + "0]"
	q := "SELECT length(" + code + ") AS a, uscc, name FROM institutions WHERE length(" + code + ") > 0"
	if a := post(t, srv, countyToken, q, url.Values{"query_id": {"padded-code"}}); a.status != http.StatusOK {
		t.Fatalf("padded code: %d %q", a.status, a.body)
	}
	a := post(t, srv, cityToken, "SELECT statement LIKE '%institutions%', arrayStringConcat(reads, ' ') FROM sql_audit WHERE query_id = 'padded-code' FORMAT TSV", nil)
	if want := "0\t" + s.Database() + "_county_411002.institutions\n"; a.status != 200 || a.body != want {
		t.Errorf("padded code: audit row %d %q, want %q", a.status, a.body, want)
	}
}

// A body in ClickHouse's compressed blocks (decompress=1) is read block
// by block; a block header announcing more than a query may hold is
// refused at once — the reader would allocate what it announces before
// the query had a slot.
func TestCompressedBodyBounded(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	w := compress.NewWriter(compress.LevelZero, compress.LZ4)
	if err := w.Compress([]byte("SELECT count() FROM institutions")); err != nil {
		t.Fatal(err)
	}
	if a := post(t, srv, countyToken, string(w.Data), url.Values{"decompress": {"1"}}); a.status != 200 || a.body != "2\n" {
		t.Errorf("a compressed query: %d %q", a.status, a.body)
	}
	huge := make([]byte, 25)
	huge[16] = 0x82 // LZ4
	binary.LittleEndian.PutUint32(huge[17:], 1<<27+9)
	binary.LittleEndian.PutUint32(huge[21:], 1<<27)
	if a := post(t, srv, countyToken, string(huge), url.Values{"decompress": {"1"}}); a.status == 200 || !strings.Contains(a.body, "announces 134217728 bytes") {
		t.Errorf("a block announcing 128 MiB: %d %q", a.status, a.body)
	}
}

// A zstd body is decoded with a bounded window: a frame header of a few
// bytes announcing 512 MiB took that much per connection before the query
// had a slot. Bodies from zstd's usual writers still work.
func TestZstdBodyWindowBounded(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	query := []byte("SELECT count() FROM institutions")
	send := func(body []byte) answer {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", bytes.NewReader(body))
		req.Header.Set("X-ClickHouse-Key", countyToken)
		req.Header.Set("Content-Encoding", "zstd")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, resp.Header, string(b)}
	}
	// frame is the query as one raw block of a frame announcing window
	// 2^(10+exp) bytes, as a streaming writer announces what it may use.
	frame := func(exp byte) []byte {
		f := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, exp << 3}
		hdr := uint32(len(query))<<3 | 1 // last block, raw
		f = append(f, byte(hdr), byte(hdr>>8), byte(hdr>>16))
		return append(f, query...)
	}
	var streamed bytes.Buffer
	zw, _ := zstd.NewWriter(&streamed)
	zw.Write(query)
	zw.Close()
	oneShot, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	for name, body := range map[string][]byte{
		"streamed": streamed.Bytes(), "one shot": oneShot.EncodeAll(query, nil),
		"window 8 MiB": frame(13), // zstd -19 and klauspost's default writer
	} {
		if a := send(body); a.status != 200 || a.body != "2\n" {
			t.Errorf("%s: %d %q", name, a.status, a.body)
		}
	}
	for _, exp := range []byte{14, 19} {
		if a := send(frame(exp)); a.status != http.StatusBadRequest || !strings.Contains(a.body, "announces a window of more than 8388608 bytes") {
			t.Errorf("a frame announcing 2^%d bytes: %d %q", 10+exp, a.status, a.body)
		}
	}
}

// The trail keeps the values of a query's parameters: the statement
// shows {u:String}, which says nothing of what was looked up.
func TestAuditKeepsParameterValues(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	createAuditTable(t, s)
	srv, _ := countyEndpoint(t, chhttp.Options{Store: s, Audit: chhttp.StoreAudit(s, func(msg string, args ...any) { t.Errorf("%s %v", msg, args) })})
	long := strings.Repeat("许", 2000) // 6,000 bytes: its head and tail are kept
	// As sent: the engine reads a parameter's value escaped as in TSV
	// (\t is a tab), and the trail keeps the text sent.
	tricky := `a'b\\c\td}{:,`
	q := "SELECT count() FROM institutions WHERE uscc = {u:String} OR name = {n:String} OR name = {x:String}"
	if a := post(t, srv, countyToken, q, url.Values{"query_id": {"with-params"}, "param_u": {"91411002MA47X4XJ6A"}, "param_n": {long}, "param_x": {tricky}}); a.status != http.StatusOK {
		t.Fatalf("query with parameters: %d %q", a.status, a.body)
	}
	a := post(t, srv, cityToken, "SELECT params['u'], length(params['n']) BETWEEN 1000 AND 1100, startsWith(params['n'], '许许'), length(mapKeys(params)), hex(params['x']) FROM sql_audit WHERE query_id = 'with-params' FORMAT TSV", nil)
	if want := "91411002MA47X4XJ6A\t1\t1\t3\t" + strings.ToUpper(hex.EncodeToString([]byte(tricky))) + "\n"; a.status != 200 || a.body != want {
		t.Errorf("audit row %d %q, want %q", a.status, a.body, want)
	}
}

// The trail keeps the settings given in the URL, as sent, a refused one
// too: limit= or max_result_rows= change what a statement answered, and
// the statement does not show them.
func TestAuditKeepsURLSettings(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	createAuditTable(t, s)
	srv, _ := countyEndpoint(t, chhttp.Options{Store: s, Audit: chhttp.StoreAudit(s, func(msg string, args ...any) { t.Errorf("%s %v", msg, args) })})
	q := "SELECT uscc FROM institutions ORDER BY uscc"
	if a := post(t, srv, countyToken, q, url.Values{"query_id": {"with-settings"}, "limit": {"1"}, "offset": {"1"}, "max_result_rows": {"5"}, "param_u": {"x"}, "default_format": {"TSV"}}); a.status != http.StatusOK || a.body != "A2\n" {
		t.Fatalf("query with settings: %d %q", a.status, a.body)
	}
	if a := post(t, srv, countyToken, q, url.Values{"query_id": {"refused-setting"}, "readonly": {"0"}}); a.status == http.StatusOK {
		t.Fatalf("readonly=0 taken: %q", a.body)
	}
	for id, want := range map[string]string{
		"with-settings": "{'limit':'1','max_result_rows':'5','offset':'1'}\t{'u':'x'}\tok\n",
		// A refused setting is a refusal, as a refused statement is.
		"refused-setting": "{'readonly':'0'}\t{}\tdenied\n",
	} {
		a := post(t, srv, cityToken, "SELECT mapSort(settings), params, outcome FROM sql_audit WHERE query_id = {id:String} FORMAT TSV", url.Values{"param_id": {id}})
		if a.status != 200 || a.body != want {
			t.Errorf("%s: audit row %d %q, want %q", id, a.status, a.body, want)
		}
	}
}

// clickhouse-go's batch INSERT over HTTP (the statement in ?query=, its
// Native block in the body) is refused as an INSERT is, ACCESS_DENIED,
// and audited denied: the block's NUL bytes made it a SYNTAX_ERROR
// audited as an error.
func TestBatchInsertIsDenied(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	createAuditTable(t, s)
	srv, _ := countyEndpoint(t, chhttp.Options{Store: s, Audit: chhttp.StoreAudit(s, nil)})
	ctx := context.Background()
	for _, tok := range []string{cityToken, countyToken} {
		conn := open(t, srv, tok)
		batch, err := conn.PrepareBatch(ctx, "INSERT INTO sql_audit (token, query_id)")
		if err == nil {
			if err = batch.Append("forged", "batch-probe"); err == nil {
				err = batch.Send()
			}
		}
		if c := exceptionCode(err); c != 497 || !strings.Contains(err.Error(), "Insert") {
			t.Errorf("token %s: batch insert: %v (code %d), want ACCESS_DENIED naming the INSERT", tok, err, c)
		}
	}
	a := post(t, srv, cityToken, "SELECT token, outcome FROM sql_audit WHERE statement LIKE 'INSERT INTO sql_audit%' ORDER BY token FORMAT TSV", nil)
	if a.body != "city\tdenied\n魏都区\tdenied\n" {
		t.Errorf("audit of the batch inserts: %d %q", a.status, a.body)
	}
	if a := post(t, srv, cityToken, "SELECT count() FROM sql_audit WHERE query_id = 'batch-probe' FORMAT TSV", nil); a.body != "0\n" {
		t.Errorf("rows written by the batch: %q", a.body)
	}
}
