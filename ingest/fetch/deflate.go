package fetch

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// inflating decodes bodies sent with Content-Encoding: deflate or gzip,
// and is the only place a body is decoded. net/http decodes gzip only
// when it asked for it (this asks, so net/http never does), resty only
// a body still labelled exactly gzip (this removes the label); IIS and
// PHP send deflate unasked, Apache pre-compressed files as x-gzip
// (AddEncoding x-gzip .gz), and the compressed bytes then failed as a
// page in the wrong charset or as broken JSON. Decoded here, below
// resty, the body limit counts the decoded bytes. gzip is asked for and
// decoded here too, not by net/http, so that a stream that breaks off is
// told from a body that broke off: net/http's decoder reported both as
// an unexpected EOF, and a gzip stream cut at a Content-Length shorter
// than it read as "the answer ended before the length it announced".
type inflating struct{ next http.RoundTripper }

func (t inflating) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" && req.Method != http.MethodHead {
		// What net/http asks for; asked for here, net/http leaves the
		// body as it came.
		req = req.Clone(req.Context())
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.ContentLength == 0 || req.Method == http.MethodHead {
		return resp, err
	}
	label := strings.Join(resp.Header.Values("Content-Encoding"), ", ")
	coding, known := contentCoding(label)
	switch {
	case coding == "":
		return resp, err
	case !known && resp.StatusCode/100 != 2:
		// An error page in an encoding not decoded: its status decides
		// what happens (a 503 is retried), and its bytes are only looked
		// at for a challenge, which they then do not show.
		return resp, err
	case !known:
		// Passed on, the encoded bytes failed as a page in the wrong
		// charset or as broken JSON, and the hint sent people to the
		// site's charset.
		resp.Body = unsupported{coding: label, closer: resp.Body}
		return resp, nil
	}
	src := &tracked{r: resp.Body}
	resp.Body = &inflater{coding: coding, announced: resp.ContentLength, src: src, closer: resp.Body, buf: bufio.NewReader(src)}
	// As net/http does for gzip: the header and length described the
	// encoded body.
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
	return resp, nil
}

// contentCoding is the one coding a Content-Encoding label names, in the
// name the decoder knows, and whether it is one decoded here: "" when
// the body is not encoded (no label, or identity, which RFC 9110 §8.4.1
// reserves for Accept-Encoding but some servers send). x-gzip is gzip
// (RFC 9110 §8.4.1.3: a recipient SHOULD treat it so); x-compress is
// compress, which is not decoded (no site of ours sends it, and Go has
// no decoder for it); x-deflate is no name the RFC gives. Codings
// applied one over another (gzip, deflate) are not decoded either.
func contentCoding(label string) (string, bool) {
	var codings []string
	for _, c := range strings.Split(label, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c != "" && c != "identity" {
			codings = append(codings, c)
		}
	}
	switch {
	case len(codings) == 0:
		return "", true
	case len(codings) > 1:
		return label, false
	}
	switch codings[0] {
	case "gzip", "x-gzip":
		return "gzip", true
	case "deflate":
		return "deflate", true
	}
	return label, false
}

// errUnsupported is what every errUnsupportedEncoding is, for HintFor.
var errUnsupported = errors.New("Content-Encoding not supported")

// errUnsupportedEncoding is a body in a Content-Encoding not decoded.
type errUnsupportedEncoding struct{ coding string }

func (e errUnsupportedEncoding) Is(target error) bool { return target == errUnsupported }

func (e errUnsupportedEncoding) Error() string {
	return fmt.Sprintf("the answer is encoded as %q (Content-Encoding), which is not supported: creditsync decodes gzip (also named x-gzip) and deflate, and asks for gzip", e.coding)
}

// unsupported is the body of an answer in a Content-Encoding not
// decoded: reading it fails, naming the encoding.
type unsupported struct {
	coding string
	closer io.Closer
}

func (u unsupported) Read([]byte) (int, error) { return 0, errUnsupportedEncoding{u.coding} }
func (u unsupported) Close() error             { return u.closer.Close() }

// errEncoding is a body that is not the encoding its Content-Encoding
// names.
type errEncoding struct {
	coding string
	err    error
}

func (e errEncoding) Error() string { return e.coding + ": " + e.err.Error() }
func (e errEncoding) Unwrap() error { return e.err }

// tracked remembers the error of the body as it arrives (a connection
// cut before its Content-Length), to tell it from the decoder's own, and
// the bytes it brought.
type tracked struct {
	r   io.Reader
	n   int64
	err error
}

func (t *tracked) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.n += int64(n)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// inflater reads a deflate body in either of the forms sites send: the
// zlib stream RFC 9110 means by deflate, or the raw deflate stream IIS
// and PHP's gzdeflate send under that name. They are told apart by the
// zlib header, as browsers do.
type inflater struct {
	coding    string // deflate or gzip
	announced int64  // the body's Content-Length, -1 when it has none
	src       *tracked
	closer    io.Closer
	buf       *bufio.Reader
	r         io.Reader // nil until the first Read
}

func (f *inflater) Read(p []byte) (int, error) {
	if f.r == nil {
		head, _ := f.buf.Peek(2)
		switch {
		case len(head) == 0 && f.src.err == nil:
			return 0, io.EOF // an empty body, whatever its label
		case f.coding == "gzip":
			zr, err := gzip.NewReader(f.buf)
			if err != nil {
				return 0, f.fail(err)
			}
			f.r = zr
		case zlibHeader(head):
			zr, err := zlib.NewReader(f.buf)
			if err != nil {
				return 0, f.fail(err)
			}
			f.r = zr
		default:
			f.r = flate.NewReader(f.buf)
		}
	}
	n, err := f.r.Read(p)
	switch {
	case err == io.EOF && f.coding == "gzip":
		// gzip's reader reads on into a next member, and fails on
		// anything after the last that is not one (gzip.ErrHeader).
	case err == io.EOF:
		// The stream ended: nothing may follow it. A body that is not
		// deflate at all often "decodes" as a short stream of
		// nonsense, ended early.
		if _, more := f.buf.ReadByte(); more == nil {
			return n, f.fail(errors.New("data after the end of the compressed stream"))
		}
	case err != nil:
		err = f.fail(err)
	}
	return n, err
}

// fail is the transport's error when the body broke in transfer, else
// the decoder's, as a body that is not what its label says: a stream that
// breaks off where a whole body ends was cut before it was sent, or runs
// past the Content-Length announced.
func (f *inflater) fail(err error) error {
	if f.src.err != nil {
		return f.src.err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("the compressed stream breaks off where the body ends, after %d bytes", f.src.n)
		if f.announced == f.src.n {
			err = fmt.Errorf("the compressed stream runs past the %d bytes the answer announced (Content-Length), which end it short: the length understates the body, or the stream was cut before it was sent", f.src.n)
		}
	}
	return errEncoding{coding: f.coding, err: err}
}

func (f *inflater) Close() error { return f.closer.Close() }

// zlibHeader reports whether a stream starts with a zlib header:
// compression method 8 (deflate), a window of at most 32 KiB, and the
// two bytes a multiple of 31 (RFC 1950).
func zlibHeader(b []byte) bool {
	return len(b) == 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}
