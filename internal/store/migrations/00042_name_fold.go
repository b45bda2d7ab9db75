package migrations

import (
	"context"
	"database/sql"
	"fmt"

	"skalig"

	"github.com/pressly/goose/v3"
)

// nameFold is migration 00042, in Go because its backfill folds the names
// with skalig.NameFold, which SQL cannot do the same way on both
// databases: case_persons.name_fold is name_key without diacritics
// ("göran" is "goran"), which the search by name matches when the
// caseworker types a word without them. The store fills it for new rows;
// this fills it for the rows already there. Names are personal data:
// gallring deletes the rows of case_persons, name_fold with the rest.
// A new *goose.Migration for each provider: goose keeps state in it.
func nameFold() *goose.Migration {
	return goose.NewGoMigration(42, &goose.GoFunc{RunTx: foldNames}, nil)
}

func foldNames(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `ALTER TABLE case_persons ADD COLUMN name_fold TEXT NOT NULL DEFAULT ''`); err != nil {
		return fmt.Errorf("add case_persons.name_fold: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT case_id, personal_number, name_key FROM case_persons WHERE name_key <> ''`)
	if err != nil {
		return fmt.Errorf("read case_persons: %w", err)
	}
	type row struct{ caseID, pn, fold string }
	var todo []row
	for rows.Next() {
		var r row
		var key string
		if err := rows.Scan(&r.caseID, &r.pn, &key); err != nil {
			rows.Close()
			return err
		}
		r.fold = skalig.NameFold(key)
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range todo {
		if _, err := tx.ExecContext(ctx, `UPDATE case_persons SET name_fold = $1 WHERE case_id = $2 AND personal_number = $3`,
			r.fold, r.caseID, r.pn); err != nil {
			return fmt.Errorf("fold the name of a person of case %s: %w", r.caseID, err)
		}
	}
	return nil
}
