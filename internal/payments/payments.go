// Package payments takes the payments the workflow orders to the bank and
// back: payment runs that collect every ordered payment due into one ISO
// 20022 pain.001.001.03 credit-transfer file, the import of the bank's
// answers (pain.002.001.03 status reports, camt.054.001.02 debit
// notifications) that move each case to paid or back to a person, and the
// payment control: a payment to a recently changed account or above a set
// amount waits for a second person (Policy, Release). docs/payments.md
// describes how a municipality connects it to its bank.
//
// The store does the bookkeeping in one transaction per step
// (store/paymentdb: CreatePaymentRun, ApplyBankAnswer, ReleasePayment,
// ReorderPayment); this package builds and reads the files and holds the
// rules.
package payments

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
)

// Config is what the payment service needs.
type Config struct {
	Cases  *store.CaseStore
	Debtor Debtor
	Policy Policy
	Logger *slog.Logger

	// AfterCommit, when set, runs after a run's transaction commits and
	// before its file is written, and InRun inside that transaction
	// after the payments are claimed: where the crash tests kill the
	// process (kill -9) to show that a run is never lost nor doubled.
	AfterCommit func(r *paymentdb.PaymentRun)
	InRun       func(r *paymentdb.PaymentRun)
}

// Service runs payment runs, imports the bank's answers and releases held
// payments.
type Service struct {
	cases  *store.CaseStore
	pay    *paymentdb.Store
	debtor Debtor
	policy Policy
	log    *slog.Logger
	cfg    Config
}

// New returns the service of cfg.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cases: cfg.Cases, pay: paymentdb.New(cfg.Cases), debtor: cfg.Debtor, policy: cfg.Policy, log: cfg.Logger, cfg: cfg}
}

// FileName is the name of run r's file: its message id.
func FileName(r *paymentdb.PaymentRun) string { return r.MessageID + ".xml" }

// Run makes a payment run and writes its file into dir; it returns the
// paths written. First it writes out every earlier run whose file was
// never written (a process that died between the run's commit and its
// file), byte for byte as stored; then it claims every ordered payment due
// today into a new run (paymentdb.Store.CreatePaymentRun). With nothing due it
// writes no new file and returns paymentdb.ErrNothingDue after the earlier
// ones.
func (s *Service) Run(ctx context.Context, dir, actor string) ([]string, *paymentdb.PaymentRun, error) {
	paths, err := s.ExportPending(ctx, dir, actor)
	if err != nil {
		return paths, nil, err
	}
	due := skalig.DateOf(s.cases.DB().Clock())
	r, err := s.pay.CreatePaymentRun(ctx, paymentdb.RunSpec{Due: due, Actor: actor,
		Build: func(r *paymentdb.PaymentRun, ps []*store.Payment) ([]byte, error) {
			if s.cfg.InRun != nil {
				s.cfg.InRun(r)
			}
			return Pain001(r, ps, s.debtor)
		}})
	if err != nil {
		return paths, nil, err
	}
	if s.cfg.AfterCommit != nil {
		s.cfg.AfterCommit(r)
	}
	p, err := s.write(ctx, r, dir, actor)
	if err != nil {
		return paths, r, err
	}
	s.log.Info("payment run", "run_id", r.ID, "payments", r.Count, "file", p)
	return append(paths, p), r, nil
}

// ExportPending writes out every run whose file was never written, oldest
// first, and returns their paths.
func (s *Service) ExportPending(ctx context.Context, dir, actor string) ([]string, error) {
	runs, err := s.pay.PaymentRuns(ctx, true, 1000)
	if err != nil {
		return nil, err
	}
	var paths []string
	for i := len(runs) - 1; i >= 0; i-- {
		p, err := s.write(ctx, runs[i], dir, actor)
		if err != nil {
			return paths, err
		}
		s.log.Info("payment run written again", "run_id", runs[i].ID, "file", p)
		paths = append(paths, p)
	}
	return paths, nil
}

// Export writes the stored file of run id (its id or message id) into dir
// again, byte for byte, and returns its path.
//
// Errors: ENOTFOUND.
func (s *Service) Export(ctx context.Context, id, dir, actor string) (string, error) {
	r, err := s.pay.PaymentRun(ctx, id)
	if err != nil {
		return "", err
	}
	return s.write(ctx, r, dir, actor)
}

// write writes r's document into dir and records that it was.
func (s *Service) write(ctx context.Context, r *paymentdb.PaymentRun, dir, actor string) (string, error) {
	p, err := WriteFile(dir, FileName(r), r.Document)
	if err != nil {
		return "", err
	}
	return p, s.pay.MarkRunExported(ctx, r.ID, actor, p)
}

// WriteFile writes data to dir/name atomically (a temporary file renamed
// into place, synced), so that the bank's transfer never picks up half a
// file. A file of that name with the same content is left as it is; one
// with other content is an error: a payment file is never overwritten
// with something else.
func WriteFile(dir, name string, data []byte) (string, error) {
	path := filepath.Join(dir, name)
	if old, err := os.ReadFile(path); err == nil {
		if bytes.Equal(old, data) {
			return path, nil
		}
		return "", fmt.Errorf("write %s: a different file of that name exists", path)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", err
	}
	return path, nil
}

// Import reads a bank file (pain.002 or camt.054) and applies it in one
// transaction: executed payments move their case to paid, rejected ones
// send it back to a person with the bank's reason (skalig.ReasonPaymentRejected and
// skalig.ReasonBankPrefix+code, and a payment_rejected record with the text). A
// malformed file, an end-to-end id that is no payment of Skälig, a payment
// never sent, or a file imported before is refused with a Swedish message
// naming what is wrong, and nothing of the file is applied.
//
// Errors: EINVALID; ECONFLICT (imported before).
func (s *Service) Import(ctx context.Context, data []byte, actor string) (*paymentdb.BankImport, error) {
	a, err := ParseAnswer(data)
	if err != nil {
		return nil, err
	}
	results := a.Results
	runID := ""
	if a.OriginalMessageID != "" {
		run, err := s.pay.PaymentRun(ctx, a.OriginalMessageID)
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			return nil, invalid("Statusrapporten svarar på betalningsfilen %s, som inte finns i Skälig.", a.OriginalMessageID)
		}
		if err != nil {
			return nil, err
		}
		runID = run.ID
		if a.RejectAll != nil {
			ps, err := s.pay.RunPayments(ctx, run.ID)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				r := *a.RejectAll
				r.EndToEndID = p.ID
				results = append(results, r)
			}
		}
	}
	if len(results) == 0 {
		// Only "received" or "accepted": nothing to apply, but the file
		// is recorded so that it is not read twice.
		s.log.Info("bank answer without final statuses", "message_id", a.MessageID)
	}
	return s.pay.ApplyBankAnswer(ctx, paymentdb.BankAnswer{
		MessageID: a.MessageID, Format: a.Format, SHA256: a.SHA256, Actor: actor, Results: results, RunID: runID,
		RejectCase: func(r paymentdb.BankResult) []string {
			return []string{skalig.ReasonPaymentRejected, skalig.ReasonBankPrefix + r.Code}
		},
	})
}

// Held returns the payments waiting for a second person, oldest first.
func (s *Service) Held(ctx context.Context) ([]*store.Payment, error) {
	return s.pay.PaymentsByStatus(ctx, store.PaymentHeld, 1000)
}

// Release lets the held payment id go into the next run, released by the
// person by: the second pair of eyes. It refuses (EFORBIDDEN) the
// caseworker who made the decision and the caseworker who recorded the
// account the payment goes to; for an automated decision with the
// applicant's own account any named person may release it.
//
// Errors: EINVALID (no person named); ENOTFOUND; EFORBIDDEN; ECONFLICT
// (not held).
func (s *Service) Release(ctx context.Context, id, by string) (*store.Payment, error) {
	if by == "" {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Ange vem som attesterar utbetalningen.",
			Fields: []skalig.FieldError{{Field: "by", Message: "Ange vem som attesterar utbetalningen."}}}
	}
	p, err := s.pay.Payment(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != store.PaymentHeld {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Utbetalningen %s väntar inte på attest (den är %s).", id, p.Status.Swedish())
	}
	d, err := s.cases.Decision(ctx, p.DecisionID)
	if err != nil {
		return nil, err
	}
	if d.DecidedBy.Caseworker == by {
		return nil, skalig.Errorf(skalig.EFORBIDDEN, "Du fattade beslutet och kan inte själv attestera utbetalningen; en annan person måste göra det.")
	}
	facts, err := s.cases.Facts(ctx, p.CaseID)
	if err != nil {
		return nil, err
	}
	for _, f := range facts {
		if f.Kind == skalig.KindPaymentAccount && f.RecordedBy == by && f.Value.IsText && normalize(f.Value.Text) == normalize(p.Account) {
			return nil, skalig.Errorf(skalig.EFORBIDDEN, "Du registrerade kontot och kan inte själv attestera utbetalningen; en annan person måste göra det.")
		}
	}
	return s.pay.ReleasePayment(ctx, id, by)
}

// Reorder orders the payment of a case again after the bank rejected
// payment id, to the account the case has now (a caseworker corrects it
// first), on the person by's word. The new payment goes through the same
// control (Policy); the case goes back to notified and waits for the bank.
//
// Errors: EINVALID; ENOTFOUND; ECONFLICT.
func (s *Service) Reorder(ctx context.Context, id, by string) (*store.Payment, error) {
	if by == "" {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Ange vem som beställer utbetalningen på nytt.",
			Fields: []skalig.FieldError{{Field: "by", Message: "Ange vem som beställer utbetalningen på nytt."}}}
	}
	old, err := s.pay.Payment(ctx, id)
	if err != nil {
		return nil, err
	}
	f, ok, err := s.cases.LatestFact(ctx, old.CaseID, skalig.KindPaymentAccount)
	if err != nil {
		return nil, err
	}
	if !ok || !f.Value.IsText || f.Value.Text == "" {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Ärendet saknar kontonummer för utbetalningen.")
	}
	now := s.cases.DB().Clock()
	p := &store.Payment{Amount: old.Amount, Account: f.Value.Text, PayOn: skalig.DateOf(now)}
	h, err := s.cases.PaymentAccountHistory(ctx, old.CaseID, p.Account)
	if err != nil {
		return nil, err
	}
	if reason := s.policy.Hold(p.Amount, p.Account, h, now); reason != "" {
		p.Status, p.HoldReason = store.PaymentHeld, reason
	}
	if err := s.pay.ReorderPayment(ctx, id, p, by); err != nil {
		return nil, err
	}
	return p, nil
}

// Every runs a payment run into dir every interval until ctx ends: the
// scheduled job of skalig serve and skalig worker. Runs in several
// processes at once are safe (each payment goes into one run). after, if
// set, gets each new run (the demo answers it as a bank would).
func (s *Service) Every(ctx context.Context, interval time.Duration, dir string, after func(context.Context, *paymentdb.PaymentRun)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		_, r, err := s.Run(ctx, dir, "worker:payments")
		switch {
		case errors.Is(err, paymentdb.ErrNothingDue), ctx.Err() != nil:
		case err != nil:
			s.log.Error("payment run", "err", err)
		case after != nil:
			after(ctx, r)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
