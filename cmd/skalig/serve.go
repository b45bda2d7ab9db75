package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"skalig"
	"skalig/internal/api"
	"skalig/internal/config"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/rules"
)

// Main is the running program: configuration, the HTTP server and what it
// needs. Tests run it on 127.0.0.1:0.
type Main struct {
	Config config.Config
	Logger *slog.Logger

	server *http.Server
	ln     net.Listener
}

// Open loads parameters and municipalities, builds the server and starts
// listening (not yet serving).
func (m *Main) Open() error {
	if err := m.Config.Validate(); err != nil {
		return &exitError{code: exitUsage, msg: err.Error()}
	}
	if m.Logger == nil {
		m.Logger = m.Config.Logger()
	}
	p, err := params.Default()
	if err != nil {
		return fmt.Errorf("load parameters: %w", err)
	}
	ms, err := municipal.Default()
	if err != nil {
		return fmt.Errorf("load municipalities: %w", err)
	}
	srv := api.New(api.Config{
		Params:     p,
		Guidelines: func(code string, mo skalig.Month) (*rules.Guidelines, error) { return ms.Guidelines(code, mo) },
		Logger:     m.Logger,
		Version:    versionString(),
	})
	m.server = &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.ln, err = net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return &exitError{code: exitFailure, msg: fmt.Sprintf("kan inte lyssna på %s: %v", m.Config.Addr, err)}
	}
	return nil
}

// Addr returns the address the server listens on.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// Serve serves until ctx is done, then shuts down gracefully.
func (m *Main) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return m.Close()
}

// Close stops the server, letting requests in flight finish for up to ten
// seconds.
func (m *Main) Close() error {
	if m.server == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.server.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func runServe(ctx context.Context, args []string, stdout io.Writer, demo bool) error {
	name := "serve"
	if demo {
		name = "demo"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "HOST:PORT att lyssna på")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return usageErr("Användning: skalig %s [--addr HOST:PORT]", name)
	}
	m := &Main{Config: cfg}
	if err := m.Open(); err != nil {
		return err
	}
	base := "http://" + m.Addr()
	if demo {
		fmt.Fprintf(stdout, `Skälig demo på %[1]s

Det här steget av Skälig innehåller beräkningsmotorn och dess API. Ärendeflödet
(ansökan, registerhämtning, beslut, Mina sidor och handläggarvyn) finns inte än:
demo startar därför bara beräknings-API:t.

  Beräkna:   curl -s -X POST -H 'Content-Type: application/json' \
               --data @examples/single_adult_2025.json \
               %[1]s/api/v1/calculations
             (eller: go run ./cmd/skalig calc examples/family_three_children_2025.json)
  API-dokument (OpenAPI 3.1): %[1]s/api/v1/openapi.json
  Hälsa:     %[1]s/healthz
  Mätvärden: %[1]s/metrics

Avsluta med Ctrl-C.
`, base)
	} else {
		m.Logger.Info("listening", "addr", base, "version", versionString())
	}
	return m.Serve(ctx)
}

func runConfig(args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "dump" {
		return usageErr("Användning: skalig config dump")
	}
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	if err := cfg.Validate(); err != nil {
		return usageErr("%v", err)
	}
	fmt.Fprint(stdout, cfg.Dump())
	return nil
}
