package store

import (
	"context"
	"fmt"
)

// MigrateTo applies the migrations up to version v only: tests of data
// written by an older schema.
func (db *DB) MigrateTo(ctx context.Context, v int64) error {
	p, err := db.provider(ctx)
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, v); err != nil {
		return fmt.Errorf("migrate to %d: %w", v, err)
	}
	return nil
}
