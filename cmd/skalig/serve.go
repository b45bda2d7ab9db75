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
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"skalig/cmd/skalig/internal/records"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"skalig"
	"skalig/internal/api"
	"skalig/internal/config"
	"skalig/internal/jobs"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/payments"
	"skalig/internal/registry"
	"skalig/internal/registry/sim"
	"skalig/internal/rules"
	"skalig/internal/store"
	"skalig/internal/store/configdb"
	"skalig/internal/store/paramdb"
	"skalig/internal/store/statsdb"
	"skalig/internal/store/whatifdb"
	"skalig/internal/whatif"
	"skalig/internal/workflow"
)

// whatifLease is the lease of a what-if job's step (one month of a run's
// selection): a worker that dies in a step leaves it for this long.
const whatifLease = 10 * time.Minute

// Main is the running program: configuration, the database, the workflow
// with its workers, the register connection and the HTTP server. Tests run it
// on 127.0.0.1:0.
type Main struct {
	Config config.Config
	Logger *slog.Logger
	// Demo adds the demo's parts: the development identity provider and
	// its synthetic persons (see web.go).
	Demo bool
	// personasDone receives the outcome of the demo's seeding of the
	// personas' history (demo_personas.go), once; a test may make it
	// before the demo starts (it must have room for one value).
	personasDone chan error
	// NoHTTP runs the workers only (skalig worker).
	NoHTTP bool

	DB       *store.DB
	Cases    *store.CaseStore
	Workflow *workflow.Workflow
	Params   *params.Params
	// ParamSource is the parameters in force: Params with the versions
	// loaded and approved by administrators (skalig params import/approve)
	// over them, read again after an approval without a restart.
	ParamSource *paramdb.Source
	Municipal   *municipal.Set
	// MunicipalConfig is Municipal with the administration pages' versions.
	MunicipalConfig *configdb.MunicipalConfig
	Registry        *prometheus.Registry
	Sim             *sim.Sim // the register simulator, when Registers is "sim"
	// SimLatency is the simulator's answer time per source (the demo's
	// realistic delays); nil takes Config.SimLatency (SKALIG_SIM_LATENCY),
	// and when that is empty too the simulator answers at once.
	SimLatency map[string]sim.Latency
	// Payments makes the payment runs and reads the bank's answers.
	Payments *payments.Service
	// WhatIf starts and reads the what-if and shadow runs; whatifJobs is
	// the queue its jobs run on (whatif.JobRun, whatif.JobShadow), beside
	// the workflow's, with a long lease: one step evaluates a month.
	WhatIf     *whatif.Runner
	whatifJobs *jobs.Queue
	// PaymentEvery overrides Config.PaymentInterval (the demo runs
	// payments every few seconds); BankSim answers each run as a bank
	// would, all paid out (the demo's simulated bank).
	PaymentEvery time.Duration
	BankSim      bool

	server  *http.Server
	ln      net.Listener
	metrics http.Handler // /metrics without a token, for the debug address
	// metricsLn and metricsOwn serve /metrics on SKALIG_METRICS_ADDR.
	metricsLn  net.Listener
	metricsOwn http.Handler
	routes     []string // every pattern of every mux, for the authorization test
	cancel     context.CancelFunc
	done       chan struct{}
	// paymentsDone closes when the scheduled payment runs have stopped.
	paymentsDone chan struct{}
	// GallringEvery is how often serve and worker check whether the
	// year's gallring run is to be prepared (0: hourly).
	GallringEvery time.Duration
	gallringDone  chan struct{}
}

// Open loads parameters and municipalities, opens the database (refusing a
// schema that is not up to date), builds the workflow and the server and
// starts listening (not yet serving).
func (m *Main) Open(ctx context.Context) error {
	if os.Getenv("GOGC") == "" {
		// The workflow allocates much that dies young (JSON, XML, SQL
		// arguments); with the default (100) the garbage collector took a
		// fifth of the server's CPU under load, and 400 cut the server's
		// CPU per case by about an eighth (docs/proof.md). The live heap
		// is small (about 100 MB under load), so this costs a few hundred
		// MB at most. GOGC in the environment overrides it.
		debug.SetGCPercent(400)
	}
	if err := m.Config.Validate(); err != nil {
		return &exitError{Code: exitUsage, Msg: err.Error()}
	}
	if m.Logger == nil {
		m.Logger = m.Config.Logger()
	}
	var err error
	if m.Params, err = params.Default(); err != nil {
		return fmt.Errorf("load parameters: %w", err)
	}
	if m.Municipal, err = municipal.Default(); err != nil {
		return fmt.Errorf("load municipalities: %w", err)
	}
	m.Registry = prometheus.NewRegistry()
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if m.DB, err = store.Open(ctx, m.Config.Database); err != nil {
		return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte öppna databasen: %v", err)}
	}
	m.DB.WarmPoolSize(ctx, m.Config.DBConns)
	cur, latest, err := m.DB.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if cur != latest {
		return &exitError{Code: exitFailure, Msg: fmt.Sprintf(
			"databasens schema är version %d men programmet behöver %d: kör först skalig migrate (%s)", cur, latest, m.DB)}
	}
	if err := records.StartAuditCheckpoints(m.DB, m.Config); err != nil {
		return err
	}
	registerOperatorMetrics(m.Registry, m.DB, m.Logger)
	m.Cases = store.NewCaseStore(m.DB)
	if m.ParamSource, err = paramdb.New(m.DB).Source(ctx); err != nil {
		return fmt.Errorf("load parameter versions: %w", err)
	}
	// The municipal configuration: the embedded files with the versions
	// made in the administration pages over them, for the workflow and the
	// caseworker pages alike, so that a change applies at once.
	m.MunicipalConfig = configdb.NewMunicipalConfig(m.DB, m.Municipal)
	regs, err := m.registers()
	if err != nil {
		return err
	}
	m.Workflow, err = workflow.New(workflow.Config{
		Cases: m.Cases, ParamSource: m.ParamSource, Municipal: m.MunicipalConfig.Lookup(), Registers: regs,
		RegisterDeadline: m.Config.RegisterDeadline, Logger: m.Logger, Registerer: m.Registry,
		Jobs: jobs.Config{Workers: m.Config.Workers, Lease: m.Config.JobLease, Grace: shutdownGrace}, Payments: paymentPolicy(m.Config),
	})
	if err != nil {
		return err
	}
	m.WhatIf = &whatif.Runner{Cases: whatifdb.New(m.DB), Live: whatif.Live{Params: m.Params, Municipal: m.MunicipalConfig.Lookup()}}
	m.whatifJobs = m.DB.Queue(jobs.Config{Workers: 1, Lease: whatifLease, Grace: shutdownGrace, Logger: m.Logger})
	m.WhatIf.Handle(m.whatifJobs)
	m.WhatIf.Notify = m.whatifJobs.Notify
	pc := paymentsConfig(m.Config, m.Cases)
	pc.Logger = m.Logger
	m.Payments = payments.New(pc)
	if m.NoHTTP {
		return nil
	}
	tokens, _ := m.Config.Tokens()
	var apiTokens []api.Token
	for _, t := range tokens {
		apiTokens = append(apiTokens, api.Token{Name: t.Name, Secret: t.Secret, Municipalities: t.Municipalities, Actions: t.Actions})
	}
	srv := api.New(api.Config{
		Params:     m.Params,
		Guidelines: func(code string, mo skalig.Month) (*rules.Guidelines, error) { return m.Municipal.Guidelines(code, mo) },
		Logger:     m.Logger,
		Version:    versionString(),
		Registry:   m.Registry,
		Workflow:   m.Workflow,
		Statistics: statsdb.New(m.DB),
		WhatIf:     m.WhatIf,
		Proposals:  m.MunicipalConfig,
		Tokens:     apiTokens,

		MetricsToken: publicMetricsToken(m.Config),
		Ready:        func(ctx context.Context) error { return ready(ctx, m.DB) },
	})
	m.metrics = srv.Metrics()
	if m.Config.MetricsAddr != "" {
		// Metrics on a listener of their own (off the public one).
		if m.metricsLn, err = net.Listen("tcp", m.Config.MetricsAddr); err != nil {
			return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte lyssna på SKALIG_METRICS_ADDR %s: %v", m.Config.MetricsAddr, err)}
		}
		m.metricsOwn = srv.MetricsFor(m.Config.MetricsToken)
	}
	m.routes = append([]string(nil), srv.Patterns()...)
	m.ln, err = net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return &exitError{Code: exitFailure, Msg: fmt.Sprintf("kan inte lyssna på %s: %v", m.Config.Addr, err)}
	}
	handler, err := m.handler(srv.Handler())
	if err != nil {
		m.ln.Close()
		return err
	}
	m.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	return nil
}

// registers connects the register source the configuration names.
func (m *Main) registers() (skalig.Registers, error) {
	switch m.Config.Registers {
	case "none":
		return nil, nil
	case "sim":
		// The real client against the simulator in memory: retries,
		// breakers and metrics as in production, without a network.
		latency, faults := m.SimLatency, map[string]sim.Faults(nil)
		var err error
		if latency == nil && m.Config.SimLatency != "" {
			if latency, err = sim.ParseLatency(m.Config.SimLatency); err != nil {
				return nil, usageErr("config: sim_latency (SKALIG_SIM_LATENCY): %v", err)
			}
		}
		if m.Config.SimFaults != "" {
			if faults, err = sim.ParseFaults(m.Config.SimFaults); err != nil {
				return nil, usageErr("config: sim_faults (SKALIG_SIM_FAULTS): %v", err)
			}
		}
		m.Sim = sim.New(sim.Config{Seed: m.Config.SimSeed, Latency: latency, Faults: faults})
		cfg := registry.DefaultConfig()
		cfg.BaseURL, cfg.HTTPClient = sim.BaseURL, m.Sim.HTTPClient()
		cfg.OrgNumber, cfg.OrgName = "212000-0001", "Demokommunen (syntetiskt organisationsnummer)"
		cfg.Registerer, cfg.Logger = m.Registry, m.Logger
		return registry.NewClient(cfg)
	}
	cfg := registry.DefaultConfig()
	cfg.BaseURL = m.Config.Registers
	cfg.CertFile, cfg.KeyFile, cfg.CAFile = m.Config.RegistersCert, m.Config.RegistersKey, m.Config.RegistersCA
	cfg.Registerer, cfg.Logger = m.Registry, m.Logger
	c, err := registry.NewClient(cfg)
	if err != nil {
		return nil, &exitError{Code: exitUsage, Msg: err.Error()}
	}
	return c, nil
}

// Addr returns the address the server listens on.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// Serve runs the workers and serves until ctx is done, then shuts down
// gracefully.
func (m *Main) Serve(ctx context.Context) error {
	wctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.done = make(chan struct{})
	go func() {
		defer close(m.done)
		if m.Config.Workers > 0 {
			whatifDone := make(chan struct{})
			go func() { defer close(whatifDone); m.whatifJobs.Run(wctx) }()
			m.Workflow.Run(wctx)
			<-whatifDone
		}
	}()
	if m.Config.Workers > 0 && m.Config.PaymentDir != "" {
		// The scheduled payment run: safe in every process at once.
		every := m.PaymentEvery
		if every == 0 {
			every = m.Config.PaymentInterval
		}
		m.paymentsDone = make(chan struct{})
		go func() {
			defer close(m.paymentsDone)
			m.Payments.Every(wctx, every, m.Config.PaymentDir, m.bankAnswer)
		}()
	}
	if _, _, on, _ := m.Config.GallringDay(); on && m.Config.Workers > 0 {
		m.gallringDone = make(chan struct{})
		go func() {
			defer close(m.gallringDone)
			records.ScheduleGallring(wctx, m.DB, m.Config, m.Logger, m.GallringEvery)
		}()
	}
	if m.NoHTTP {
		<-ctx.Done()
		m.Logger.Info("shutting down: no more jobs claimed; running jobs finish or are handed back",
			"grace", shutdownGrace)
		return m.closeLogged()
	}
	if m.Config.DebugAddr != "" {
		// The profiler and the metrics, on loopback only
		// (config.Validate): for performance work, e.g. go tool pprof
		// http://ADDR/debug/pprof/profile, and for a Prometheus on the
		// same machine without a token (http://ADDR/metrics).
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.metrics)
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		dbg := &http.Server{Addr: m.Config.DebugAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := dbg.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.Logger.Warn("debug server", "addr", m.Config.DebugAddr, "err", err)
			}
		}()
		defer dbg.Close()
	}
	if m.metricsLn != nil {
		ms := &http.Server{Handler: m.metricsOwn, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := ms.Serve(m.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.Logger.Warn("metrics server", "addr", m.Config.MetricsAddr, "err", err)
			}
		}()
		defer ms.Close()
	}
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.ln) }()
	select {
	case err := <-errc:
		m.Close()
		return err
	case <-ctx.Done():
	}
	m.Logger.Info("shutting down: no new requests or jobs; requests in flight finish, running jobs finish or are handed back",
		"grace", shutdownGrace)
	return m.closeLogged()
}

// shutdownGrace is how long a stopping process lets its running jobs
// finish before it hands them back to the queue (jobs.Config.Grace).
const shutdownGrace = 5 * time.Second

// closeLogged is Close, logging how the shutdown ended.
func (m *Main) closeLogged() error {
	start := time.Now()
	err := m.Close()
	if err != nil {
		m.Logger.Error("shutdown", "err", err, "took", time.Since(start).Round(time.Millisecond))
		return err
	}
	m.Logger.Info("stopped", "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Close stops taking work and shuts down: the workers stop claiming jobs
// at once (their running jobs get shutdownGrace to finish, then are handed
// back to the queue) while the HTTP server stops accepting and lets the
// requests in flight finish for up to ten seconds; then the database is
// closed.
func (m *Main) Close() error {
	var err error
	if m.cancel != nil {
		m.cancel()
	}
	if m.metricsLn != nil {
		m.metricsLn.Close() // the metrics server may have closed it already
		m.metricsLn = nil
	}
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if e := m.server.Shutdown(ctx); e != nil && !errors.Is(e, http.ErrServerClosed) {
			err = e
		}
		m.server = nil
	}
	if m.cancel != nil {
		<-m.done
		if m.paymentsDone != nil {
			<-m.paymentsDone
		}
		if m.gallringDone != nil {
			<-m.gallringDone
		}
		m.cancel = nil
	}
	if m.DB != nil {
		m.DB.Close()
		m.DB = nil
	}
	return err
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
	dataDir := ""
	households := 48
	if demo {
		fs.StringVar(&dataDir, "data", "", "katalog för demodatabasen (standard: en ny tillfällig katalog)")
		fs.IntVar(&households, "households", households, "antal demohushåll")
	} else {
		fs.StringVar(&cfg.Database, "database", cfg.Database, "databas: SQLite-fil eller postgres://…")
		fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "antal jobb som körs samtidigt i processen (0: inga)")
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		if demo {
			return usageErr("Användning: skalig demo [--addr HOST:PORT] [--data KATALOG] [--households N]")
		}
		return usageErr("Användning: skalig serve [--addr HOST:PORT] [--database DSN] [--workers N]")
	}
	m := &Main{Config: cfg, Demo: demo}
	if demo {
		return runDemo(ctx, m, dataDir, households, stdout)
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	m.Logger.Info("listening", "addr", "http://"+m.Addr(), "version", versionString(), "database", m.DB.String(),
		"workers", cfg.Workers, "registers", cfg.Registers)
	return m.Serve(ctx)
}

// runWorker runs workers without an HTTP server: skalig worker. Several
// worker processes (and serve processes) share one PostgreSQL database.
func runWorker(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := config.Default()
	cfg.FromEnv(os.Getenv)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "databas")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "antal jobb samtidigt")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || cfg.Workers < 1 {
		return usageErr("Användning: skalig worker [--database DSN] [--workers N (minst 1)]")
	}
	m := &Main{Config: cfg, NoHTTP: true}
	if err := m.Open(ctx); err != nil {
		return err
	}
	m.Logger.Info("worker running", "database", m.DB.String(), "workers", cfg.Workers, "registers", cfg.Registers)
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

// registerOperatorMetrics adds what operators watch besides the request
// metrics: the database pool (sql.DBStats), the job queue by kind and
// state with the age of the oldest job, decisions by outcome and payments
// as the database holds them, and skalig_build_info.
func registerOperatorMetrics(reg *prometheus.Registry, db *store.DB, log *slog.Logger) {
	reg.MustRegister(
		collectors.NewDBStatsCollector(db.SQL(), "skalig"),
		jobs.NewCollector(db.SQL(), nil, log),
		statsdb.NewCollector(db, log),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "skalig_build_info",
			Help:        "Always 1; the labels name the build: version (with the rules engine's) and the Go version.",
			ConstLabels: prometheus.Labels{"version": versionString(), "go": runtime.Version()},
		}, func() float64 { return 1 }),
	)
}

// ready is the readiness check of /readyz: the database answers and has
// every migration this program knows.
func ready(ctx context.Context, db *store.DB) error {
	if err := db.SQL().PingContext(ctx); err != nil {
		return fmt.Errorf("ping the database: %w", err)
	}
	ok, err := db.SchemaUpToDate(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return skalig.Errorf(skalig.EUNAVAILABLE, "Databasens schema är inte aktuellt: kör skalig migrate.")
	}
	return nil
}

// publicMetricsToken is the token /metrics asks for on the public
// listener: none (so /metrics is not served there) when SKALIG_METRICS_ADDR
// moves the metrics to a listener of their own.
func publicMetricsToken(c config.Config) string {
	if c.MetricsAddr != "" {
		return ""
	}
	return c.MetricsToken
}
