package chhttp

import (
	"compress/zlib"
	"fmt"
	"io"
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
//   - enable_http_compression=1: the answer in the first encoding of the
//     client's Accept-Encoding that is known (gzip, deflate — zlib, as
//     ClickHouse writes it —, br, zstd, lz4);
//   - Content-Encoding on the request: its body is decoded likewise;
//   - compress=1: the answer in ClickHouse's own compressed blocks
//     (ch-go/compress; LZ4 unless network_compression_method says ZSTD),
//     as clickhouse-go asks for with LZ4 or ZSTD compression;
//     decompress=1: the body comes in those blocks.

// requestBody decodes r's body by its Content-Encoding and decompress=1.
func requestBody(r *http.Request) (io.Reader, error) {
	var body io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, errSyntax("the request body is not gzip: " + err.Error())
		}
		body = zr
	case "deflate":
		zr, err := zlib.NewReader(body)
		if err != nil {
			return nil, errSyntax("the request body is not deflate (zlib): " + err.Error())
		}
		body = zr
	case "br":
		body = brotli.NewReader(body)
	case "zstd":
		zr, err := zstd.NewReader(body)
		if err != nil {
			return nil, errSyntax("the request body is not zstd: " + err.Error())
		}
		body = zr.IOReadCloser()
	case "lz4":
		body = lz4.NewReader(body)
	default:
		return nil, &Exception{Code: 36, Name: "BAD_ARGUMENTS", Status: http.StatusUnsupportedMediaType,
			Msg: fmt.Sprintf("Content-Encoding %q is not supported; use gzip, deflate, br, zstd or lz4", enc)}
	}
	if r.URL.Query().Get("decompress") == "1" {
		body = compress.NewReader(body)
	}
	return body, nil
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
	if q.Get("enable_http_compression") != "1" {
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
