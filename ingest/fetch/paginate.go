package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Position is a resumable place in a paginated listing; it is stored as
// JSON between runs, so an interrupted sync resumes where it stopped.
type Position interface {
	PageNumber() int // 1-based number of the next page
	// Digest identifies the records of the page before it (the page
	// just read), so that a page read again is noticed.
	Digest() string
}

// Paginate drives a listing page by page for the api and html clients:
// it resumes from the JSON token from ("" = start), stops after maxPages
// (0 = no cap) with ErrPageCap, gives each page the resume token of the
// one after it, and numbers errors by page.
//
// next fetches the page at pos and returns it, the position after it and
// whether the listing ended; setNext stores the following page's resume
// token ("" at the end) in the page before fn sees it.
//
// A listing whose pages loop — a next link or a cursor leading back to a
// page already read, a page number the site maps onto an earlier page —
// would be read forever, filling raw_pages: a page that is not the last
// and holds the records of an earlier page fails the fetch as incomplete.
func Paginate[Pos Position, P any](ctx context.Context, source string, maxPages int, start Pos, from string,
	next func(context.Context, Pos) (P, Pos, bool, error), setNext func(*P, string), fn func(P) error) error {
	pos := start
	if from != "" {
		if err := json.Unmarshal([]byte(from), &pos); err != nil || pos.PageNumber() < 1 {
			return fmt.Errorf("%s: unreadable resume position %q; sync with --full to start over", source, from)
		}
	}
	read := map[string]int{} // the digest of each page read that was not the last → its number
	for fetched := 0; ; fetched++ {
		if maxPages > 0 && fetched >= maxPages {
			return &Error{Source: source, Page: pos.PageNumber(), Err: fmt.Errorf("%w: stopped after %d pages", ErrPageCap, fetched), Hint: HintFor(ErrPageCap)}
		}
		page, after, done, err := next(ctx, pos)
		if err != nil {
			var fe *Error
			if errors.As(err, &fe) && fe.Page == 0 {
				fe.Page = pos.PageNumber()
			}
			return err
		}
		if !done {
			if n, ok := read[after.Digest()]; ok {
				return &Error{Source: source, Page: pos.PageNumber(),
					Err:  fmt.Errorf("%w: page %d holds the records of page %d and is not the last: the listing's pages loop", ErrIncomplete, pos.PageNumber(), n),
					Hint: HintFor(ErrIncomplete)}
			}
			read[after.Digest()] = pos.PageNumber()
			b, _ := json.Marshal(after)
			setNext(&page, string(b))
		}
		if err := fn(page); err != nil {
			return err
		}
		if done {
			return nil
		}
		pos = after
	}
}
