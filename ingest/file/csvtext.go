package file

// Two faults of CSV text that a reader would otherwise take in silently,
// losing records: a value whose opening quote is never closed swallows
// every line after it into that one value, and a file whose lines end
// in a lone CR (Excel for Mac's "CSV (Macintosh)", old Mac systems) reads
// as a single line, its header cell and every record run together.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/xuchang-hrss/creditsync/contract"
)

// ErrUnclosedQuote is a quoted value that runs to the end of the file.
var ErrUnclosedQuote = errors.New("a quoted value is never closed")

// ErrStrayQuote is a quoted value whose closing quote is followed by
// more text, and which so runs on over the lines after it.
var ErrStrayQuote = errors.New("a quoted value takes in the lines after it")

// quoteState follows a CSV text as encoding/csv reads it with LazyQuotes:
// a value that starts with " is quoted until a " followed by the
// delimiter, a line break or the end ("" stands for one "); a " anywhere
// else is a character like any other. It also mends the text on its way
// to encoding/csv in one respect, as the engine reads it (the fast
// import): spaces and tabs between a closing " and the delimiter or the
// line's end ("甲公司" ,) are dropped, and the value ends at its quote.
// encoding/csv would take that " for a character of the value and read
// on, through the line break, into the next record.
type quoteState struct {
	comma    byte
	line     int // of the byte being read, from 1
	state    byte
	openLine int // where the quoted value being read opened
	held     []byte
	// strayLine is where the quoted value being read had its quote
	// followed by text ("黑中介"行为): encoding/csv reads on to the next
	// quote before a comma or a line break, and when that lies on a
	// later line, the lines between become part of the value. err says so.
	strayLine int
	// textAfterBreak: the quoted value being read holds text on a line
	// after the one it opened on. A value still open at the end that
	// holds none took in only its own line's end (the file's last line),
	// and reads the same either way.
	textAfterBreak bool
	// recordLine is where the record being read began, recordBytes how
	// many bytes of it have been read: one longer than maxRecordBytes
	// fails the text (err), before encoding/csv holds it in memory.
	recordLine  int
	recordBytes int
	err         error
}

// maxRecordBytes bounds a record of a CSV text (its lines, when values
// span several): its values are cells of at most 32,767 characters
// (contract.MaxValueLength), and a register's record is a few hundred
// bytes. A longer one is a document or a binary file read as text, or a
// value holding a whole text; reading it whole took gigabytes (a 210 MB
// line). (A variable so tests can lower it.)
var maxRecordBytes = 4 << 20

// ErrRecordTooLong is a record longer than maxRecordBytes.
var ErrRecordTooLong = errors.New("a record is too long")

const (
	atFieldStart = iota
	inUnquoted
	inQuoted
	afterQuote      // a " inside a quoted value: its end, or half of ""
	afterQuoteCR    // then a CR: a line break if LF follows
	afterQuoteSpace // then spaces or tabs (held): dropped if the value ends
)

func newQuoteState(comma byte) *quoteState {
	return &quoteState{comma: comma, line: 1, recordLine: 1}
}

// count adds n bytes to the record being read, and fails the text when
// it is too long.
func (q *quoteState) count(n int) {
	q.recordBytes += n
	if q.recordBytes > maxRecordBytes && q.err == nil {
		q.err = recordTooLong(q.recordLine)
	}
}

// recordTooLong says that the record beginning on line is longer than
// maxRecordBytes.
func recordTooLong(line int) error {
	return fmt.Errorf("line %d: %w: its text runs past %d MiB, and no record of a list comes near that (a cell holds at most %d characters): "+
		"a whole document pasted into a cell, or a file that is not a table? shorten the value, or import the table saved on its own", line, ErrRecordTooLong, maxRecordBytes>>20, contract.MaxValueLength)
}

// endRecord starts the next record on the next line.
func (q *quoteState) endRecord() {
	q.line++
	q.recordLine, q.recordBytes = q.line, 0
}

// feed follows p, appending to out the text encoding/csv is to read of
// it, and returns out.
func (q *quoteState) feed(out, p []byte) []byte {
	for len(p) > 0 {
		switch q.state {
		case inUnquoted, inQuoted:
			// Most bytes change nothing: skip to the next that may.
			stop := -1
			if q.state == inQuoted {
				stop = bytes.IndexAny(p, "\"\n")
			} else {
				stop = bytes.IndexAny(p, string([]byte{q.comma, '\n'}))
			}
			if stop < 0 {
				stop = len(p)
			}
			if q.state == inQuoted && q.line > q.openLine && bytes.ContainsFunc(p[:stop], func(r rune) bool { return r != '\r' }) {
				q.textOnLaterLine()
			}
			q.count(stop)
			if stop == len(p) {
				return append(out, p...)
			}
			out = append(out, p[:stop]...)
			p = p[stop:]
		}
		c := p[0]
		p = p[1:]
		q.count(1)
		switch q.state {
		case atFieldStart, inUnquoted:
			switch {
			case c == '"' && q.state == atFieldStart:
				q.state, q.openLine, q.strayLine, q.textAfterBreak = inQuoted, q.line, 0, false
			case c == q.comma:
				q.state = atFieldStart
			case c == '\n':
				q.state = atFieldStart
				q.endRecord()
			default:
				q.state = inUnquoted
			}
		case inQuoted:
			if c == '\n' {
				q.line++
			} else {
				if q.line > q.openLine {
					q.textOnLaterLine()
				}
				q.state = afterQuote
			}
		case afterQuote:
			switch c {
			case '"':
				q.state = inQuoted
			case q.comma:
				q.state = atFieldStart
			case '\n':
				q.state = atFieldStart
				q.endRecord()
			case '\r':
				q.state = afterQuoteCR
			case ' ', '\t':
				q.state, q.held = afterQuoteSpace, append(q.held[:0], c)
				continue
			default:
				q.state = inQuoted
				if q.strayLine == 0 {
					q.strayLine = q.line
				}
			}
		case afterQuoteSpace:
			switch c {
			case ' ', '\t':
				q.held = append(q.held, c)
				continue
			case q.comma, '\n', '\r':
				// The value ended at its quote: the spaces go, and c is
				// read again as what follows a closing quote.
				q.state, q.held = afterQuote, q.held[:0]
				p = append([]byte{c}, p...)
				q.recordBytes-- // read again
				continue
			}
			// The quote was a character of the value, and so are the
			// spaces: encoding/csv reads on, as it would have.
			out = append(out, q.held...)
			q.state, q.held = inQuoted, q.held[:0]
			if q.strayLine == 0 {
				q.strayLine = q.line
			}
			p = append([]byte{c}, p...)
			q.recordBytes-- // read again
			continue
		case afterQuoteCR:
			if c == '\n' {
				q.state = atFieldStart
				q.endRecord()
				out = append(out, c)
				continue
			}
			// The " and the CR were characters of the value; c is read
			// again as one of it.
			q.state = inQuoted
			p = append([]byte{c}, p...)
			q.recordBytes-- // read again
			continue
		}
		out = append(out, c)
	}
	return out
}

// textOnLaterLine notes text in the quoted value being read on a line
// after the one it opened on. After a stray quote, text on a later line
// than the stray one is another record's taken into the value, and fails
// the text (err); a value whose lines end with the file's (the last
// line's line break, blank lines) took in nothing.
func (q *quoteState) textOnLaterLine() {
	q.textAfterBreak = true
	if q.strayLine > 0 && q.line > q.strayLine && q.err == nil {
		q.err = fmt.Errorf("line %d: %w: a value opens with \" there, and its closing \" is followed by more text, so the value goes on to the next \" before a comma or a line break and takes the lines after it in; "+
			"quote the whole value and double each \" inside it (\"\"\"黑中介\"\"行为\"), or leave the quotes out", q.strayLine, ErrStrayQuote)
	}
}

// unclosed says where the quoted value still open at the end opened,
// when it took in text from a later line: one open on the last line
// only lacks its closing quote, and reads the same either way, whether
// or not the line ends in a line break.
func (q *quoteState) unclosed() error {
	if q.state != inQuoted || !q.textAfterBreak {
		return nil
	}
	return fmt.Errorf("line %d: %w: it opens with \" there and no \" closes it, so every line after it would be read as that one value; "+
		"add the missing \", or write a \" inside a value as \"\"", q.openLine, ErrUnclosedQuote)
}

// quoteWatch passes a CSV text on, mended as quoteState says, and fails
// at its end when a quoted value is still open.
type quoteWatch struct {
	r       io.Reader
	q       *quoteState
	in, out []byte
	pending []byte // of out, not yet read
	err     error  // the reader's, once pending is read
}

func (w *quoteWatch) Read(p []byte) (int, error) {
	for len(w.pending) == 0 && w.err == nil {
		if w.in == nil {
			w.in = make([]byte, 64<<10)
		}
		n, err := w.r.Read(w.in)
		w.out = w.q.feed(w.out[:0], w.in[:n])
		w.pending = w.out
		if w.q.err != nil {
			// Nothing more is passed on: the file is refused whole.
			w.pending, w.err = nil, w.q.err
			break
		}
		if err == io.EOF {
			if uerr := w.q.unclosed(); uerr != nil {
				err = uerr
			}
		}
		w.err = err
	}
	n := copy(p, w.pending)
	w.pending = w.pending[n:]
	if len(w.pending) == 0 && w.err != nil {
		return n, w.err
	}
	return n, nil
}

// unclosedQuote reads a whole CSV text through a quoteWatch and reports
// a quoted value still open at its end.
func unclosedQuote(r io.Reader, comma byte) error {
	_, err := io.Copy(io.Discard, &quoteWatch{r: r, q: newQuoteState(comma)})
	return err
}

// crLines reports whether text, as far as br shows it, ends its lines
// with a lone CR: its first line break is a CR not followed by LF.
func crLines(br *bufio.Reader) (bool, error) {
	head, err := br.Peek(br.Size())
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return false, err
	}
	i := bytes.IndexAny(head, "\r\n")
	if i < 0 || head[i] != '\r' {
		return false, nil
	}
	if i+1 < len(head) {
		return head[i+1] != '\n', nil
	}
	// The CR ends what the buffer holds: the text's end, or a line as
	// long as the buffer, cut between CR and LF.
	return err == io.EOF, nil
}

// crToLF reads a text whose lines end in a lone CR with LF instead.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
