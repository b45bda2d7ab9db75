package store

import "context"

// MigrateTo applies the migrations up to version, for the tests of an
// upgrade (package store_test).
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.provider(ctx)
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
