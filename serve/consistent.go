package serve

import (
	"bytes"
	"context"
	"net/http"
)

// generations is what a SourceChooser may also tell: a value that changes
// whenever the data behind the grades does (report.Sources.Generation).
type generations interface {
	Generation(ctx context.Context) (string, error)
}

// consistentAttempts is how often a request is answered again when the
// data changed while it was answered. The nightly run writes for well
// under a second, a page takes a few: a second attempt is almost always
// whole, a third more so.
const consistentAttempts = 3

// errDataChanging answers a request the data changed under every time.
var errDataChanging = &httpError{http.StatusServiceUnavailable, "数据正在更新，请稍后刷新 The grades are being updated; reload in a moment"}

// consistent answers r with h from one state of the data. A page or a
// download reads the grades several times (the grade in force, then each
// month-end of its history; a trend's counts, then its downgrades): read
// while the nightly run recorded its grades, one page showed an A and
// 可享受 above a history lowered to C. The answer is kept until the data's
// generation is the same after it as before (no write in between: every
// part of the generation only grows), else made again; after
// consistentAttempts it is 503 with Retry-After. A source without
// generations (a fixed one) is answered directly.
func (s *Server) consistent(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request) error) error {
	g, ok := s.sources.(generations)
	if !ok {
		return h(w, r)
	}
	for range consistentAttempts {
		before, err := g.Generation(r.Context())
		if err != nil {
			return err
		}
		buf := &bufferedResponse{header: http.Header{}}
		herr := h(buf, r)
		after, err := g.Generation(r.Context())
		if err != nil {
			return err
		}
		if before != after {
			continue
		}
		if herr != nil {
			return herr
		}
		buf.sendTo(w)
		return nil
	}
	w.Header().Set("Retry-After", "2")
	return errDataChanging
}

// bufferedResponse keeps an answer until it is known to be whole.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// sendTo writes the kept answer to w.
func (b *bufferedResponse) sendTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes()) // a broken connection is all that is left
}
