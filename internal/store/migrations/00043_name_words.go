package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"skalig"

	"github.com/pressly/goose/v3"
)

// nameWords is migration 00043: the search by name through an index.
// case_person_words holds, per person of a case (with the case's
// municipality, which the search is within), the words the search finds
// the name by (skalig.NameWords: each word of the name as written,
// without diacritics and with ö, ä, å, ü, ø, æ spelled oe, ae, aa, ue, oe,
// ae). The search matches the beginning of a word with a range (word >= $1
// AND word < $2), which a B-tree index on (municipality, word) serves on
// both databases; on PostgreSQL the column's collation is "C", so that the
// range compares code points as SQLite does (a language's collation would
// not make a prefix a range). The backfill makes the words of the names
// already there, a thousand persons at a time, and drops
// case_persons.name_key and name_fold (00041, 00042), which the search no
// longer reads. Names are personal data: the words refer to their person
// in case_persons, and gallring deletes them with the case (gallringdb).
// A new *goose.Migration for each provider: goose keeps state in it.
func nameWords(dialect string) *goose.Migration {
	return goose.NewGoMigration(43, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		return addNameWords(ctx, tx, dialect)
	}}, nil)
}

// nameWordsBatch is how many persons the backfill reads at a time.
const nameWordsBatch = 1000

func addNameWords(ctx context.Context, tx *sql.Tx, dialect string) error {
	table := `CREATE TABLE case_person_words (
		case_id         TEXT NOT NULL,
		personal_number TEXT NOT NULL,
		municipality    TEXT NOT NULL,
		word            TEXT NOT NULL,
		PRIMARY KEY (case_id, personal_number, word),
		FOREIGN KEY (case_id, personal_number) REFERENCES case_persons (case_id, personal_number)
	) STRICT`
	if dialect == postgres {
		table = `CREATE TABLE case_person_words (
			case_id         text NOT NULL,
			personal_number text NOT NULL,
			municipality    text NOT NULL,
			word            text COLLATE "C" NOT NULL,
			PRIMARY KEY (case_id, personal_number, word),
			FOREIGN KEY (case_id, personal_number) REFERENCES case_persons (case_id, personal_number)
		)`
	}
	for _, q := range []string{
		table,
		`CREATE INDEX case_person_words_word ON case_person_words (municipality, word, case_id, personal_number)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("case_person_words: %w", err)
		}
	}
	// The persons in the order of the key, a batch at a time: a batch is
	// read to the end before its words are written (one connection).
	type person struct{ caseID, pn, municipality, name string }
	var after person
	for {
		rows, err := tx.QueryContext(ctx, `SELECT p.case_id, p.personal_number, c.municipality, p.name
			FROM case_persons p JOIN cases c ON c.id = p.case_id
			WHERE (p.case_id, p.personal_number) > ($1, $2) AND p.name <> ''
			ORDER BY p.case_id, p.personal_number LIMIT `+fmt.Sprint(nameWordsBatch), after.caseID, after.pn)
		if err != nil {
			return fmt.Errorf("read case_persons: %w", err)
		}
		var batch []person
		for rows.Next() {
			var p person
			if err := rows.Scan(&p.caseID, &p.pn, &p.municipality, &p.name); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		var q strings.Builder
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			_, err := tx.ExecContext(ctx, q.String(), args...)
			q.Reset()
			args = args[:0]
			return err
		}
		for _, p := range batch {
			for _, w := range skalig.NameWords(p.name) {
				if len(args) == 0 {
					q.WriteString(`INSERT INTO case_person_words (case_id, personal_number, municipality, word) VALUES `)
				} else {
					q.WriteString(", ")
				}
				fmt.Fprintf(&q, "($%d, $%d, $%d, $%d)", len(args)+1, len(args)+2, len(args)+3, len(args)+4)
				args = append(args, p.caseID, p.pn, p.municipality, w)
				if len(args) >= 900*4 { // under SQLite's and PostgreSQL's bounds on parameters
					if err := flush(); err != nil {
						return fmt.Errorf("write the words of names: %w", err)
					}
				}
			}
		}
		if err := flush(); err != nil {
			return fmt.Errorf("write the words of names: %w", err)
		}
		after = batch[len(batch)-1]
	}
	for _, col := range []string{"name_key", "name_fold"} {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE case_persons DROP COLUMN `+col); err != nil {
			return fmt.Errorf("drop case_persons.%s: %w", col, err)
		}
	}
	return nil
}
