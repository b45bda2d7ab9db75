// Package workflow is the robot: the job handlers that take a case from
// submitted to paid, and the actions people take on the way (a
// caseworker's decision, an adjustment, a replay), for every interface.
// Each job commits its effect, the case's next state and the next job in one
// transaction, so a crash anywhere resumes where it stopped and nothing
// happens twice.
//
//	fetch      submitted → fetching; register answers as facts; waits for a
//	           missing source (visible as "väntar på …") until a deadline.
//	           With every answer in, the robot's step (workflow/step): the job
//	           reads the household's history, step.Assess (pure) makes one
//	           Outcome (calculation, route with reasons, decision,
//	           notification, payment order, document requests, jobs) and
//	           store.CaseStore.ApplyStep writes it with the job's completion
//	calculate  the same step without fetching, for a case an approved
//	           parameter version sends back (recalculate.go)
//	pay        one payment order per decision made without a known account
//	           (held for a second person when internal/payments' control
//	           says so); the case stays notified until the bank's answer,
//	           imported by internal/payments, moves it to paid
//
// The due-date jobs (documents_due, kommunicering_due) bring a case whose
// applicant did not answer back to a person.
package workflow

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/payments"
	"skalig/internal/store"
	"skalig/internal/store/configdb"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/paramdb"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/step"
)

// Job kinds.
const (
	JobFetch     = "fetch"
	JobCalculate = "calculate"
	JobPay       = step.JobPay
)

// Config is what the workflow needs.
type Config struct {
	Cases *store.CaseStore
	// Params are fixed parameters (the embedded tables, params.Default);
	// ParamSource, when set, is asked instead, per calculation: the
	// parameters in force with the versions administrators load and
	// approve (paramdb.Source), without a restart.
	Params      *params.Params
	ParamSource casecalc.ParamSource
	// Municipal gives each municipality's guidelines and routing
	// configuration for a month: the embedded files (*municipal.Set), or
	// those with the versions made in the administration pages over them
	// (configdb.MunicipalConfig.Lookup).
	Municipal casecalc.Municipal
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

// The parameter sources and municipal configurations the workflow is
// given (casecalc.ParamSource, casecalc.Municipal).
var (
	_ casecalc.ParamSource = (*params.Params)(nil)
	_ casecalc.ParamSource = (*paramdb.Source)(nil)
	_ casecalc.Municipal   = (*municipal.Set)(nil)
)

// Workflow runs the flow.
type Workflow struct {
	cases   *store.CaseStore
	desk    *deskdb.Store   // approvals, staff
	config  *configdb.Store // casework settings, read uncached
	db      *store.DB
	params  casecalc.ParamSource
	mun     casecalc.Municipal
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
	var ps casecalc.ParamSource = cfg.Params
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
		cases: cfg.Cases, desk: deskdb.New(cfg.Cases.DB()), config: configdb.NewStore(cfg.Cases.DB()), db: cfg.Cases.DB(), params: ps, mun: cfg.Municipal, regs: cfg.Registers,
		log: cfg.Logger, cfg: cfg,
	}
	w.metrics = newMetrics(cfg.Registerer)
	jc := cfg.Jobs
	jc.Logger = cfg.Logger
	jc.OnPark = w.cases.Park(w.park)
	jc.Observe = w.metrics.observeJob
	w.queue = w.db.Queue(jc)
	w.queue.Handle(JobFetch, w.fetch)
	w.queue.Handle(JobCalculate, w.calculate)
	w.queue.Handle(JobPay, w.pay)
	w.queue.Handle(JobKommuniceringDue, w.kommuniceringDue)
	w.queue.Handle(paramdb.JobParamsApproved, w.recalculate)
	w.queue.Handle(JobDocumentsDue, w.documentsDue)
	w.cases.FirstJob = JobFetch
	return w, nil
}

// Run runs this process's workers until ctx ends.
func (w *Workflow) Run(ctx context.Context) error { return w.queue.Run(ctx) }

// Cases returns the case file to read (every change goes through the
// workflow's actions).
func (w *Workflow) Cases() skalig.CaseService { return w.cases }

// Staff returns the staff seen at login who work for municipality (""
// for all), by name: the directory a decision letter names the deciding
// caseworker from (internal/letters).
func (w *Workflow) Staff(ctx context.Context, municipality string) ([]skalig.StaffMember, error) {
	return w.desk.Staff(ctx, municipality)
}

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
	if err := checkApplicationMonth(app.Month, w.db.Clock()); err != nil {
		return nil, false, err
	}
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

// move makes the transition of the case of m to `to`; the change writes
// the case's row once, when it commits (store.Moves).
func (w *Workflow) move(ctx context.Context, m *store.Moves, to skalig.CaseState, actor string, reasons ...string) error {
	t := skalig.CaseTransition{CaseID: m.Case().ID, To: to, Actor: actor}
	if len(reasons) > 0 {
		t.Reason, t.Reasons = reasons[0], reasons[1:]
	}
	if err := m.To(ctx, t); err != nil {
		return err
	}
	w.metrics.transitions.WithLabelValues(string(to)).Inc()
	return nil
}

// park parks the case of a job that kept failing with a person, with the
// error kept as a record, when its state allows; a job after the decision
// (notify, pay) stays parked for an operator (skalig jobs). It runs in the
// transaction that parks the job (store.CaseStore.Park).
func (w *Workflow) park(ctx context.Context, m *store.Moves, j *jobs.Job, cause error) error {
	c := m.Case()
	if err := m.AddRecord(ctx, "worker:"+j.Kind, store.RecordError, map[string]any{
		"job": j.Kind, "attempts": j.Attempt, "error": cause.Error(),
		"text": skalig.ReasonText(skalig.ReasonJobFailed),
	}); err != nil {
		return err
	}
	if c.State == skalig.StateNotified || !c.State.CanTransition(skalig.StateAwaitingCaseworker) {
		return nil
	}
	if err := w.move(ctx, m, skalig.StateAwaitingCaseworker, "worker:"+j.Kind, skalig.ReasonJobFailed); err != nil {
		return err
	}
	// The case is with a person now, and the error is in its record: the
	// job goes, so that the step can be enqueued again when the case moves on.
	return m.DropJob(ctx, j.ID)
}
