// Package monthsim drives the real workflow the way a municipality's month
// does: applications, the register simulator (which can be taken down),
// caseworkers acting through the workflow's public API with real actors,
// applicants answering, parameters approved, payment runs and the
// simulated bank's answers, and time passing on an injected clock. It is
// the engine of `go run ./bench/month` and of the property test
// internal/workflow/wayforward_test.go, and it owns the two checks both
// make:
//
//   - WayForward: a case that is not done (see Done) must have an action
//     that some actor can take on it now, per the casework policy (see
//     WayForward for the list); a case with none is stuck, with a named
//     reason.
//   - Invariants: the money rules over the whole database.
//
// Nothing here is production code; it is test harness over the public API
// of internal/workflow, internal/payments and internal/store.
package monthsim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/municipal"
	"skalig/internal/payments"
	"skalig/internal/store"
	"skalig/internal/store/configdb"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/paramdb"
	"skalig/internal/store/paymentdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// Municipality is the municipality of every simulated case.
const Municipality = "0821"

// Clock is the injected clock of the store and the job queue.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the simulated time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Registers wraps the register simulator with a switch that takes every
// register down (each request fails, as a connection error does).
type Registers struct {
	Inner skalig.Registers
	down  atomic.Bool
}

// SetDown takes the registers down (true) or brings them back.
func (r *Registers) SetDown(down bool) { r.down.Store(down) }

// Fetch answers from the simulator, or fails while the registers are down.
func (r *Registers) Fetch(ctx context.Context, req skalig.RegisterRequest) (*skalig.RegisterAnswer, error) {
	if r.down.Load() {
		return nil, errors.New("monthsim: the registers are down (simulated)")
	}
	return r.Inner.Fetch(ctx, req)
}

// Env is one simulated municipality on one database.
type Env struct {
	DB     *store.DB
	Cases  *store.CaseStore
	Params *paramdb.Store
	Desk   *deskdb.Store
	WF     *workflow.Workflow
	Pay    *payments.Service
	Clock  *Clock
	Regs   *Registers
	Dir    string // where payment files are written

	// Caseworkers: the first decides and adjusts, the second signs under
	// four-eyes, the third signs what the second adjusted.
	Caseworkers [3]skalig.Actor
	// Stats counts the actions taken, by name.
	Stats map[string]int

	mun casecalc.Municipal // the municipal configuration (manual calculations)
}

// Debtor is the municipality's bank account in the simulated bank.
var Debtor = payments.Debtor{Name: "Testkommunen", IBAN: "SE4550000000058398257466"}

// Config sets up an Env.
type Config struct {
	DB        *store.DB // migrated
	Start     time.Time // the clock's start
	Registers skalig.Registers
	// RegisterDeadline is how long a case waits for a register that is
	// down before it goes to a person.
	RegisterDeadline time.Duration
	// FourEyes turns the municipality's four-eyes rule on (overrides and
	// rejections), from the month of Start.
	FourEyes bool
	Dir      string
	// Payments is the payment control (payments above HoldAbove wait for
	// a second person, who releases them in PaymentRun).
	Payments payments.Policy
	// Logger receives the workflow's log; nil: warnings and errors only,
	// on standard error.
	Logger *slog.Logger
}

// New wires the workflow on cfg.DB with the parameters administrators
// approve (paramdb.Source) and the clock injected into the store and
// the queue.
func New(ctx context.Context, cfg Config) (*Env, error) {
	clock := &Clock{t: cfg.Start.UTC()}
	cfg.DB.Now = clock.Now
	cases := store.NewCaseStore(cfg.DB)
	ps := paramdb.New(cfg.DB)
	src, err := ps.Source(ctx)
	if err != nil {
		return nil, err
	}
	mun, err := municipal.Default()
	if err != nil {
		return nil, err
	}
	if cfg.FourEyes {
		mc := configdb.NewMunicipalConfig(cfg.DB, mun)
		body := []byte(`{"four_eyes_override":true,"four_eyes_reject":true,"overdue_days":5}`)
		from := skalig.MonthOf(cfg.Start.Year(), int(cfg.Start.Month()))
		if err := mc.AddVersion(ctx, &municipal.Change{Municipality: Municipality, Kind: municipal.KindCasework, Version: "fyra ögon (simulering)",
			From: from, Body: body, Author: "admin-sim", Reason: "Simulering av en månad"}, from); err != nil {
			return nil, err
		}
	}
	regs := &Registers{Inner: cfg.Registers}
	if cfg.RegisterDeadline <= 0 {
		cfg.RegisterDeadline = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	wf, err := workflow.New(workflow.Config{Cases: cases, Logger: cfg.Logger, ParamSource: src, Municipal: mun, Registers: regs,
		RegisterDeadline: cfg.RegisterDeadline, RegisterTimeout: 5 * time.Second,
		Jobs: jobs.Config{Now: clock.Now}, Payments: cfg.Payments})
	if err != nil {
		return nil, err
	}
	cw := func(s string) skalig.Actor {
		return skalig.PersonActor(s, []skalig.StaffRole{skalig.StaffCaseworker}, []string{Municipality})
	}
	return &Env{DB: cfg.DB, Cases: cases, Params: ps, Desk: deskdb.New(cfg.DB), WF: wf,
		Pay: payments.New(payments.Config{Cases: cases, Debtor: Debtor, Logger: cfg.Logger, Policy: cfg.Payments}), Clock: clock, Regs: regs, Dir: cfg.Dir,
		Caseworkers: [3]skalig.Actor{cw("hl-anna"), cw("hl-bertil"), cw("hl-cecilia")}, Stats: map[string]int{}, mun: mun}, nil
}

// Drain runs the workflow's workers until no job is due at the simulated
// now (jobs due later, such as a wait for a register, stay). A job that
// failed and waits for its retry counts as due later; Drain does not move
// the clock.
func (e *Env) Drain(ctx context.Context) error {
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); e.WF.Run(wctx) }()
	defer func() { cancel(); wg.Wait() }()
	for deadline := time.Now().Add(5 * time.Minute); ; {
		var due int
		now := e.Clock.Now().UnixMicro()
		if err := e.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE state = 'running' OR (state = 'available' AND run_at <= $1)`, now).Scan(&due); err != nil {
			return err
		}
		if due == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d jobs still due after 5 minutes", due)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

// PassTime moves the clock on by d and lets the robot do what became due.
func (e *Env) PassTime(ctx context.Context, d time.Duration) error {
	e.Clock.Advance(d)
	e.Stats["time passes"]++
	return e.Drain(ctx)
}

// Controller is the person who releases held payments (the second pair of
// eyes of the payment control); never a decider.
const Controller = "ekonom-sim"

// PaymentRun releases every held payment (as Controller), makes a payment
// run of every ordered payment and imports the simulated bank's answer:
// every payment executed, except those for which returned says true,
// which the payee's bank returns (AC04, account closed); their cases go
// back to a person (payment_rejected), who orders them again (Act).
func (e *Env) PaymentRun(ctx context.Context, returned func(p *store.Payment) bool) error {
	held, err := e.Pay.Held(ctx)
	if err != nil {
		return err
	}
	for _, p := range held {
		if _, err := e.Pay.Release(ctx, p.ID, Controller); err != nil {
			return fmt.Errorf("release %s: %w", p.ID, err)
		}
		e.Stats["payment controller releases a held payment"]++
	}
	_, r, err := e.Pay.Run(ctx, e.Dir, "betalningsadministratör-sim")
	if errors.Is(err, paymentdb.ErrNothingDue) || skalig.ErrorCode(err) == skalig.ENOTFOUND {
		return nil
	}
	if err != nil {
		return fmt.Errorf("payment run: %w", err)
	}
	ps, err := paymentdb.New(e.Cases).RunPayments(ctx, r.ID)
	if err != nil {
		return err
	}
	ret := map[string]string{}
	for _, p := range ps {
		if returned != nil && returned(p) {
			ret[p.ID] = "AC04"
		}
	}
	answer, err := payments.SimulatedNotification(r, ps, Debtor, e.Clock.Now(), ret)
	if err != nil {
		return err
	}
	if _, err := e.Pay.Import(ctx, answer, "bank-sim"); err != nil {
		return fmt.Errorf("import the bank's answer: %w", err)
	}
	e.Stats["payment run"]++
	e.Stats["payments executed"] += len(ps) - len(ret)
	e.Stats["payments returned by the bank"] += len(ret)
	return nil
}
