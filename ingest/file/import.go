package file

import (
	"context"
	"fmt"
	"io"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// ImportOptions tune Import.
type ImportOptions struct {
	AllowList transform.USCCAllowList
	// Progress, if set, is called after every record with how far the
	// file has been read (bytes for CSV, rows for XLSX).
	Progress func(done, total int64)
}

// Import loads one file into list. Rejected records are in the result;
// the error is for failures that stopped the import (unreadable file, bad
// header, store errors), after which nothing of the file was written.
func Import(ctx context.Context, s store.Store, list *contract.List, path string, opt ImportOptions) (load.Result, error) {
	r, err := Open(path)
	if err != nil {
		return load.Result{List: list.Name}, err
	}
	defer r.Close()
	m, err := list.Map(r.Header())
	if err != nil {
		return load.Result{List: list.Name}, fmt.Errorf("%s: %w", path, err)
	}
	m.SerialDates = r.SerialDates()
	m.AllowList = opt.AllowList
	records := func(yield func(load.Record, error) bool) {
		for {
			line, fields, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(load.Record{}, fmt.Errorf("%s: %w", path, err))
				return
			}
			if opt.Progress != nil {
				opt.Progress(r.Progress())
			}
			if !yield(load.Record{Line: line, Fields: fields}, nil) {
				return
			}
		}
	}
	res, err := load.Load(ctx, s, m, list, load.Source{Name: "file", Ref: path, Encoding: r.Encoding()}, records)
	if err != nil {
		return res, fmt.Errorf("import %s into %s: %w", path, list.Name, err)
	}
	return res, nil
}
