// Package cli holds what every skalig subcommand shares: the exit
// statuses, the error that carries one with a message meant for the
// user, and opening the database from --database or SKALIG_DATABASE.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"skalig/internal/config"
	"skalig/internal/store"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailure = 1 // something failed (a test case, the server)
	ExitUsage   = 2 // invalid input or usage
)

// ExitError carries an exit status and a message already meant for the
// user (Swedish, naming the flag or argument at fault).
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// UsageErr is an ExitError with ExitUsage.
func UsageErr(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Msg: fmt.Sprintf(format, args...)}
}

// OpenDB parses --database (default from SKALIG_DATABASE) and opens it.
func OpenDB(ctx context.Context, name string, args []string, usage string) (*store.DB, []string, error) {
	db, rest, _, err := OpenDBWith(ctx, name, args, usage, nil)
	return db, rest, err
}

// OpenDBWith is OpenDB with the command's own flags (added by flags) and
// the configuration.
func OpenDBWith(ctx context.Context, name string, args []string, usage string, flags func(*flag.FlagSet)) (*store.DB, []string, config.Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "databas")
	if flags != nil {
		flags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, cfg, UsageErr("%s", usage)
	}
	db, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, nil, cfg, &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("kan inte öppna databasen: %v", err)}
	}
	return db, fs.Args(), cfg, nil
}
