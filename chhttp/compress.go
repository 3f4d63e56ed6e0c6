package chhttp

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/ClickHouse/ch-go/compress"
	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// The HTTP interface compresses as a ClickHouse server does, with kept
// libraries only:
//
//   - enable_http_compression, 1 unless the URL sets it to 0 (a 25.10+
//     server's default, and the value the engine reports in
//     system.settings, which clickhouse-connect reads and then sends
//     Accept-Encoding alone): the answer in the first encoding of the
//     client's Accept-Encoding that is known (gzip, deflate — zlib, as
//     ClickHouse writes it —, br, zstd, lz4);
//   - Content-Encoding on the request: its body is decoded likewise;
//   - compress=1: the answer in ClickHouse's own compressed blocks
//     (ch-go/compress; LZ4 unless network_compression_method says ZSTD),
//     as clickhouse-go asks for with LZ4 or ZSTD compression;
//     decompress=1: the body comes in those blocks.

// The body of a request is read whole, as sent, before it is decoded,
// and the decoder ends with it: a client that stalls holds no more
// memory than it sent. A decoder's window is taken when its frame
// begins, not as data comes: a zstd frame header of a few bytes
// announcing a window of 512 MiB took it, per connection, before the
// query had a slot. The windows are bounded: gzip and deflate 32 KiB by
// their format, br 16 MiB (large windows refused by the reader), lz4
// 4 MiB blocks, zstd maxZstdWindow (what zstd's levels up to 19 and
// klauspost's default writer announce); ClickHouse blocks (decompress=1)
// by blockSizes.
const maxZstdWindow = 8 << 20

// requestBody reads r's body and decodes it by its Content-Encoding and
// decompress=1: at most limit bytes of it (the handler's queryBytes),
// refusing a longer one. A body as sent may be twice as long: a
// compressed query is shorter, or longer by its framing only.
func requestBody(r *http.Request, limit int) ([]byte, error) {
	maxBodyBytes := 2 * limit
	raw, err := io.ReadAll(io.LimitReader(r.Body, int64(maxBodyBytes)+1))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil, err // the caller's deadline, which it names
	}
	if err != nil {
		return nil, errSyntax("cannot read the request body: " + err.Error())
	}
	if len(raw) > maxBodyBytes {
		return nil, errSyntax(fmt.Sprintf("the request body is longer than %d bytes as sent", maxBodyBytes))
	}
	var body io.Reader = bytes.NewReader(raw)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, errSyntax("the request body is not gzip: " + err.Error())
		}
		defer zr.Close()
		body = zr
	case "deflate":
		zr, err := zlib.NewReader(body)
		if err != nil {
			return nil, errSyntax("the request body is not deflate (zlib): " + err.Error())
		}
		defer zr.Close()
		body = zr
	case "br":
		body = brotli.NewReader(body)
	case "zstd":
		zr, err := zstd.NewReader(body, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow),
			zstd.WithDecoderMaxMemory(maxZstdWindow))
		if err != nil {
			return nil, fmt.Errorf("start a zstd decoder: %w", err)
		}
		defer zr.Close()
		body = zstdBody{zr}
	case "lz4":
		body = lz4.NewReader(body)
	default:
		return nil, &Exception{Code: 36, Name: "BAD_ARGUMENTS", Status: http.StatusUnsupportedMediaType,
			Msg: fmt.Sprintf("Content-Encoding %q is not supported; use gzip, deflate, br, zstd or lz4", enc)}
	}
	if r.URL.Query().Get("decompress") == "1" {
		sizes := &blockSizes{r: body, limit: limit}
		body = &blocksRead{r: compress.NewReader(sizes), sizes: sizes}
	}
	query, err := io.ReadAll(io.LimitReader(body, int64(limit)+1))
	if err != nil {
		return nil, errSyntax("cannot read the request body: " + err.Error())
	}
	if len(query) > limit {
		return nil, errTooLong(limit)
	}
	return query, nil
}

// zstdBody says what a frame's window is refused for.
type zstdBody struct{ d *zstd.Decoder }

func (z zstdBody) Read(p []byte) (int, error) {
	n, err := z.d.Read(p)
	if errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded) {
		err = fmt.Errorf("a zstd frame announces a window of more than %d bytes, the most a body may use (compress with a level up to 19, without --long)", maxZstdWindow)
	}
	return n, err
}

// blockSizes passes ClickHouse compressed blocks through, refusing a
// block whose header announces more than a query may hold: the reader
// allocates what the header announces before it reads the block, so
// 25 bytes announcing a block of 128 MiB took that much memory before
// the query had a slot, and a client that then stalled kept it.
type blockSizes struct {
	r     io.Reader
	limit int // the longest block: the query's limit
	left  int // bytes of the current block still to pass through
	hdr   []byte
	done  bool // the body ended where a block would start
}

// blocksRead ends the decompressed body where its blocks end: the block
// reader reports that end wrapped ("read next block: header: EOF"),
// which a reader of the body would take for a failure.
type blocksRead struct {
	r     io.Reader
	sizes *blockSizes
}

func (b *blocksRead) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && b.sizes.done && errors.Is(err, io.EOF) {
		err = io.EOF
	}
	return n, err
}

// A block's header: a 16-byte checksum, the method byte, then the
// compressed size (with the 9 bytes from the method on) and the raw size,
// little-endian.
const blockHeader = 16 + 1 + 4 + 4

func (b *blockSizes) Read(p []byte) (int, error) {
	if b.left == 0 && len(b.hdr) == 0 {
		h := make([]byte, blockHeader)
		if _, err := io.ReadFull(b.r, h); err != nil {
			switch err {
			case io.ErrUnexpectedEOF:
				return 0, errSyntax("the request body ends inside a compressed block's header")
			case io.EOF:
				b.done = true
			}
			return 0, err
		}
		compressed := int(binary.LittleEndian.Uint32(h[17:21]))
		raw := int(binary.LittleEndian.Uint32(h[21:25]))
		if raw > b.limit || compressed > b.limit+blockHeader || compressed < 9 {
			return 0, errSyntax(fmt.Sprintf("a compressed block of the request body announces %d bytes (%d compressed); a query holds at most %d", raw, compressed, b.limit))
		}
		b.hdr, b.left = h, compressed-9
	}
	if len(b.hdr) > 0 {
		n := copy(p, b.hdr)
		b.hdr = b.hdr[n:]
		return n, nil
	}
	n, err := b.r.Read(p[:min(len(p), b.left)])
	b.left -= n
	if err == io.EOF && b.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// encoder is a response encoding: its name for Content-Encoding, and a
// writer that must be closed to end the stream.
type encoder struct {
	name string
	w    io.WriteCloser
	// flush pushes what is buffered to the client (after each chunk, and
	// around a mid-stream exception).
	flush func() error
}

// responseEncoder picks the answer's encoding for r, or nil.
func responseEncoder(r *http.Request, dst io.Writer) (*encoder, error) {
	q := r.URL.Query()
	if q.Get("compress") == "1" {
		method := compress.LZ4
		if strings.EqualFold(q.Get("network_compression_method"), "ZSTD") {
			method = compress.ZSTD
		}
		b := &blockWriter{dst: dst, w: compress.NewWriter(compress.LevelZero, method)}
		return &encoder{name: "", w: b, flush: func() error { return nil }}, nil
	}
	if v := strings.ToLower(q.Get("enable_http_compression")); v == "0" || v == "false" {
		return nil, nil
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if strings.ReplaceAll(params, " ", "") == "q=0" {
			continue
		}
		switch name {
		case "gzip", "x-gzip":
			zw := gzip.NewWriter(dst)
			return &encoder{name: "gzip", w: zw, flush: zw.Flush}, nil
		case "deflate":
			zw := zlib.NewWriter(dst)
			return &encoder{name: "deflate", w: zw, flush: zw.Flush}, nil
		case "br":
			bw := brotli.NewWriter(dst)
			return &encoder{name: "br", w: bw, flush: bw.Flush}, nil
		case "zstd":
			zw, err := zstd.NewWriter(dst)
			if err != nil {
				return nil, err
			}
			return &encoder{name: "zstd", w: zw, flush: zw.Flush}, nil
		case "lz4":
			lw := lz4.NewWriter(dst)
			return &encoder{name: "lz4", w: lw, flush: lw.Flush}, nil
		}
	}
	return nil, nil
}

// blockWriter writes each Write as ClickHouse compressed blocks of at
// most maxBlock bytes before compression.
type blockWriter struct {
	dst io.Writer
	w   *compress.Writer
}

const maxBlock = 1 << 20

func (b *blockWriter) Write(p []byte) (int, error) {
	for off := 0; off < len(p); off += maxBlock {
		chunk := p[off:min(off+maxBlock, len(p))]
		if err := b.w.Compress(chunk); err != nil {
			return off, fmt.Errorf("compress a block of the answer: %w", err)
		}
		if _, err := b.dst.Write(b.w.Data); err != nil {
			return off, err
		}
	}
	return len(p), nil
}

func (b *blockWriter) Close() error { return nil }
