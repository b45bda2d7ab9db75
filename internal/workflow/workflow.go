// Package workflow is the robot: the job handlers that take a case from
// submitted to paid, and the few actions people take on the way (a
// caseworker's decision, a replay). Each step is one job of internal/jobs and
// commits its effect, the case's next state and the next job in one
// transaction, so a crash anywhere resumes where it stopped and nothing
// happens twice.
//
//	fetch      submitted → fetching; register answers as facts; waits for a
//	           missing source (visible as "väntar på …") until a deadline
//	calculate  the entitlement with its trace, on the facts that count
//	route      fetching → calculated → auto_decided | awaiting_caseworker |
//	           sampled, with named reasons (internal/routing)
//	decide     auto_decided → decided: a decision and its receipt under the
//	           municipality's delegation
//	notify     decided → notified: a Mina sidor event
//	pay        one payment order per decision (held for a second person
//	           when internal/payments' control says so); the case stays
//	           notified until the bank's answer, imported by
//	           internal/payments, moves it to paid (or closed when
//	           nothing is to be paid)
//
// When the fetch brings the last answer in, it does the rest of the robot's
// path in its own transaction (assess.go): calculate, route and, when
// delegated, decide, notify and pay commit together, each with its own
// records, transitions and audit events. The later jobs run on their own
// only where that path stops: the pay job after a caseworker's decision or
// without a known account, and any job an older version enqueued.
package workflow

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/payments"
	"skalig/internal/routing"
	"skalig/internal/rules"
	"skalig/internal/store"
)

// Job kinds.
const (
	JobFetch     = "fetch"
	JobCalculate = "calculate"
	JobRoute     = "route"
	JobDecide    = "decide"
	JobNotify    = "notify"
	JobPay       = "pay"
)

// Config is what the workflow needs.
type Config struct {
	Cases *store.CaseStore
	// Params are fixed parameters (the embedded tables, params.Default);
	// ParamSource, when set, is asked instead, per calculation: the
	// parameters in force with the versions administrators load and
	// approve (store.ParamSource), without a restart.
	Params      *params.Params
	ParamSource ParamSource
	// Municipal gives each municipality's guidelines and routing
	// configuration for a month: the embedded files (*municipal.Set), or
	// those with the versions made in the administration pages over them
	// (store.MunicipalConfig.Lookup).
	Municipal Municipal
	// Registers answers the register questions. Nil: no register is
	// connected, and every case waits for its sources until the deadline and
	// then goes to a person (register_unavailable).
	Registers skalig.Registers
	// RegisterDeadline is how long a case waits for a register source that
	// does not answer before it goes to a person; default 24 h.
	RegisterDeadline time.Duration
	// RegisterTimeout bounds one register request; default 20 s.
	RegisterTimeout time.Duration
	Logger          *slog.Logger
	// Queue settings (workers, lease, poll); Dialect is set from Cases.
	Jobs jobs.Config
	// Registerer receives the workflow's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Payments is the payment control: which payments wait for a second
	// person. The zero value holds none.
	Payments payments.Policy
}

// ParamSource gives the parameters in force in a month; *params.Params
// and *store.ParamSource are ones. It is asked for every calculation and
// must be cheap.
type ParamSource interface {
	At(m skalig.Month) (*params.Set, error)
}

var (
	_ ParamSource = (*params.Params)(nil)
	_ ParamSource = (*store.ParamSource)(nil)
)

// Municipal is what the workflow needs of the municipal configuration.
type Municipal interface {
	Guidelines(code string, mo skalig.Month) (*rules.Guidelines, error)
	Routing(code string, mo skalig.Month) (*routing.Config, error)
}

var _ Municipal = (*municipal.Set)(nil)

// Workflow runs the flow.
type Workflow struct {
	cases   *store.CaseStore
	desk    *store.CaseworkerStore // approvals, casework settings, staff
	db      *store.DB
	params  ParamSource
	mun     Municipal
	regs    skalig.Registers
	queue   *jobs.Queue
	log     *slog.Logger
	cfg     Config
	metrics *metrics
}

// New wires the workflow: the store's OnSubmit enqueues each new case's first
// job, and the queue gets a handler per job kind. Run the queue with Run.
func New(cfg Config) (*Workflow, error) {
	if cfg.Cases == nil || (cfg.Params == nil && cfg.ParamSource == nil) || cfg.Municipal == nil {
		return nil, fmt.Errorf("workflow: Cases, Params (or ParamSource) and Municipal are required")
	}
	var ps ParamSource = cfg.Params
	if cfg.ParamSource != nil {
		ps = cfg.ParamSource
	}
	if cfg.RegisterDeadline <= 0 {
		cfg.RegisterDeadline = 24 * time.Hour
	}
	if cfg.RegisterTimeout <= 0 {
		cfg.RegisterTimeout = 20 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	w := &Workflow{
		cases: cfg.Cases, desk: store.NewCaseworkerStore(cfg.Cases.DB()), db: cfg.Cases.DB(), params: ps, mun: cfg.Municipal, regs: cfg.Registers,
		log: cfg.Logger, cfg: cfg,
	}
	w.metrics = newMetrics(cfg.Registerer)
	jc := cfg.Jobs
	jc.Dialect = jobs.Dialect(w.db.Dialect())
	jc.Logger = cfg.Logger
	jc.OnPark = w.onPark
	jc.Observe = w.metrics.observeJob
	jc.InTx = w.db.InTx
	w.queue = jobs.NewQueue(w.db.SQL(), jc)
	w.queue.Handle(JobFetch, w.fetch)
	w.queue.Handle(JobCalculate, w.calculate)
	w.queue.Handle(JobRoute, w.route)
	w.queue.Handle(JobDecide, w.decide)
	w.queue.Handle(JobNotify, w.notify)
	w.queue.Handle(JobPay, w.pay)
	w.queue.Handle(JobKommuniceringDue, w.kommuniceringDue)
	w.queue.Handle(store.JobParamsApproved, w.recalculate)
	w.queue.Handle(JobDocumentsDue, w.documentsDue)
	w.cases.OnSubmit = func(ctx context.Context, tx *sql.Tx, c *skalig.Case) error {
		_, err := jobs.Enqueue(ctx, tx, w.db.Clock(), jobs.New{Kind: JobFetch, CaseID: c.ID})
		return err
	}
	return w, nil
}

// Run runs this process's workers until ctx ends.
func (w *Workflow) Run(ctx context.Context) error { return w.queue.Run(ctx) }

// Cases returns the case store.
func (w *Workflow) Cases() *store.CaseStore { return w.cases }

// Submit stores the application the applicant submitted and opens its
// case, with its first job, in one transaction (see
// store.CaseStore.SubmitApplication), and wakes the workers. When it
// returns without error the application is durable. The application is
// checked by skalig.Application.Validate, the one validation of every
// interface.
func (w *Workflow) Submit(ctx context.Context, app *skalig.Application) (*skalig.Case, bool, error) {
	return w.submit(ctx, app, "applicant")
}

// SubmitAs is Submit for an application a client submitted: audited as
// the client (skalig.Actor.String), whose scope must allow submitting in
// the application's municipality.
//
// Errors: as Submit; EFORBIDDEN (the client's scope).
func (w *Workflow) SubmitAs(ctx context.Context, app *skalig.Application, a skalig.Actor) (*skalig.Case, bool, error) {
	if a.Client != nil && !a.Client.May(skalig.ClientSubmit) {
		return nil, false, skalig.Errorf(skalig.EFORBIDDEN, "API-nyckeln får inte lämna in ansökningar.")
	}
	if !a.InMunicipality(app.Municipality) {
		return nil, false, &skalig.Error{Code: skalig.EFORBIDDEN, Message: "Du får inte lämna in ansökningar för den kommunen.",
			Fields: []skalig.FieldError{{Field: "municipality", Message: "Kommun " + app.Municipality + " ingår inte i din behörighet."}}}
	}
	return w.submit(ctx, app, a.String())
}

func (w *Workflow) submit(ctx context.Context, app *skalig.Application, actor string) (*skalig.Case, bool, error) {
	c, created, err := w.cases.SubmitApplicationAs(ctx, app, actor)
	if err != nil {
		return nil, false, err
	}
	if created {
		w.metrics.submitted.Inc()
		w.queue.Notify()
	}
	return c, created, nil
}

// enqueue adds the case's next job in tx.
func (w *Workflow) enqueue(ctx context.Context, tx *sql.Tx, kind, caseID string, at time.Time) error {
	_, err := jobs.Enqueue(ctx, tx, w.db.Clock(), jobs.New{Kind: kind, CaseID: caseID, RunAt: at})
	return err
}

// then enqueues the case's next step in tx, the transaction of job j's
// Complete, for j's worker to run at once (jobs.Job.Then); without a job
// (a person's action) it is enqueue.
func (w *Workflow) then(ctx context.Context, tx *sql.Tx, j *jobs.Job, kind, caseID string) error {
	if j == nil {
		return w.enqueue(ctx, tx, kind, caseID, time.Time{})
	}
	return j.Then(ctx, tx, w.db.Clock(), jobs.New{Kind: kind, CaseID: caseID})
}

// transition moves the case in tx and returns it as written.
func (w *Workflow) transition(ctx context.Context, tx *sql.Tx, c *skalig.Case, to skalig.CaseState, actor string, reasons ...string) (*skalig.Case, error) {
	t := skalig.CaseTransition{CaseID: c.ID, Version: c.Version, To: to, Actor: actor}
	if len(reasons) > 0 {
		t.Reason, t.Reasons = reasons[0], reasons[1:]
	}
	nc, err := w.cases.TransitionReadTx(ctx, tx, c, t)
	if err == nil {
		w.metrics.transitions.WithLabelValues(string(to)).Inc()
	}
	return nc, err
}

// move makes the transition of the case of m to `to` in tx; m writes the
// case's row once, at the end (store.Moves).
func (w *Workflow) move(ctx context.Context, tx *sql.Tx, m *store.Moves, to skalig.CaseState, actor string, reasons ...string) error {
	t := skalig.CaseTransition{CaseID: m.Case().ID, To: to, Actor: actor}
	if len(reasons) > 0 {
		t.Reason, t.Reasons = reasons[0], reasons[1:]
	}
	if err := m.To(ctx, tx, t); err != nil {
		return err
	}
	w.metrics.transitions.WithLabelValues(string(to)).Inc()
	return nil
}

// withMoves runs fn with the moves of case c (as read) in tx and writes
// the case as they leave it.
func (w *Workflow) withMoves(ctx context.Context, tx *sql.Tx, c *skalig.Case, fn func(m *store.Moves) error) error {
	m := w.cases.Moves(c)
	if err := fn(m); err != nil {
		return err
	}
	_, err := m.WriteTx(ctx, tx)
	return err
}

// ReasonJobFailed is the routing reason of a case whose job kept failing.
const ReasonJobFailed = "job_failed"

// onPark parks the case of a job that kept failing with a person, with the
// error kept as a record, when its state allows; a job after the decision
// (notify, pay) stays parked for an operator (skalig jobs).
func (w *Workflow) onPark(ctx context.Context, tx *sql.Tx, j *jobs.Job, cause error) error {
	c, err := w.cases.CaseTx(ctx, tx, j.CaseID)
	if err != nil {
		return nil // nothing to park
	}
	if err := w.cases.AddRecordTx(ctx, tx, c.ID, "worker:"+j.Kind, store.RecordError, map[string]any{
		"job": j.Kind, "attempts": j.Attempt, "error": cause.Error(),
		"text": "Ett steg i handläggningen misslyckades upprepade gånger och ärendet har lämnats till en handläggare.",
	}); err != nil {
		return err
	}
	if c.State == skalig.StateNotified || !c.State.CanTransition(skalig.StateAwaitingCaseworker) {
		return nil
	}
	if _, err := w.transition(ctx, tx, c, skalig.StateAwaitingCaseworker, "worker:"+j.Kind, ReasonJobFailed); err != nil {
		return err
	}
	// The case is with a person now, and the error is in its record: the
	// job goes, so that the step can be enqueued again when the case moves on.
	_, err = tx.ExecContext(ctx, `DELETE FROM jobs WHERE id = $1`, j.ID)
	return err
}
