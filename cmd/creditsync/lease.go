package main

import (
	"context"

	"github.com/xuchang-hrss/creditsync/store"
)

// openWriting opens the store for a command that writes grades or lists,
// under the jobs lease (workflows.Deps.Leased); Close releases the lease
// and closes the store.
func (a *app) openWriting(ctx context.Context, what string) (store.Store, error) {
	s, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	leased, err := a.deps().Leased(ctx, s, what)
	if err != nil {
		s.Close()
		return nil, err
	}
	return leased, nil
}
