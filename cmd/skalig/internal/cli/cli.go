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
	"strings"

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

// Args is a command line of options in any order among positional
// arguments (the standard flag package stops at the first positional):
// --name VALUE, --name=VALUE (one or two dashes) for Values, a bare
// --name for Bools. Usage is appended to every message.
type Args struct {
	Values map[string]*string
	Bools  map[string]*bool
	Usage  string
	// Positional takes each argument that is not an option; nil means
	// none is allowed.
	Positional func(string) bool
}

// Parse reads args into a's targets; an unknown option, a missing value
// or a positional argument not taken is a usage error naming it.
func (a Args) Parse(args []string) error {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") {
			if a.Positional == nil || !a.Positional(arg) {
				return UsageErr("okänt argument %q\n%s", arg, a.Usage)
			}
			continue
		}
		if b, ok := a.Bools[name]; ok && !hasVal {
			*b = true
			continue
		}
		v, ok := a.Values[name]
		if !ok {
			return UsageErr("okänt argument %q\n%s", arg, a.Usage)
		}
		if !hasVal {
			if i+1 >= len(args) {
				return UsageErr("%s saknar värde\n%s", arg, a.Usage)
			}
			i++
			val = args[i]
		}
		*v = val
	}
	return nil
}

// One is an Args.Positional that takes a single argument into v.
func One(v *string) func(string) bool {
	return func(arg string) bool {
		if *v != "" {
			return false
		}
		*v = arg
		return true
	}
}
