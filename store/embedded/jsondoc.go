package embedded

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// jsonDocument writes the chunks' documents of a format of one JSON
// document ({"meta", "data", "rows"}; outputs) to w as one: the first
// chunk's meta, every chunk's rows, their count.
type jsonDocument struct {
	w       io.Writer
	started bool
	rows    uint64
}

// add writes the rows of one chunk's document, and returns how many bytes
// it wrote and whether the document was the result's last: a chunk holds
// a block's rows, and a document of none is what the engine writes when
// the result ends empty (a further fetch fails: No active streaming
// query).
func (d *jsonDocument) add(chunk []byte) (n int, last bool, err error) {
	var doc struct {
		Meta json.RawMessage   `json:"meta"`
		Data []json.RawMessage `json:"data"`
		Rows *uint64           `json:"rows"`
	}
	if err := json.Unmarshal(chunk, &doc); err != nil || doc.Meta == nil || doc.Rows == nil || *doc.Rows != uint64(len(doc.Data)) {
		return 0, false, fmt.Errorf("read the engine's JSON chunk (%d bytes): not a document of meta, data and rows (%v)", len(chunk), err)
	}
	var out []byte
	if !d.started {
		// Spaced as the engine spaces the document it writes whole (a
		// chunk's own says "meta": [ on one line).
		out = append(append(append(out, "{\n\t\"meta\":\n\t"...), doc.Meta...), ",\n\n\t\"data\":\n\t["...)
	}
	for _, row := range doc.Data {
		if d.rows > 0 {
			out = append(out, ',')
		}
		out = append(append(out, "\n\t\t"...), row...)
		d.rows++
	}
	d.started = true
	n, err = d.w.Write(out)
	return n, len(doc.Data) == 0, err
}

// close ends the document; a result of no chunk at all has none.
func (d *jsonDocument) close() (int, error) {
	if !d.started {
		return 0, nil
	}
	return d.w.Write([]byte("\n\t],\n\n\t\"rows\": " + strconv.FormatUint(d.rows, 10) + "\n}\n"))
}
