package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"skalig/cmd/skalig/internal/records"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
)

// demoMunicipality is the demo's municipality: Högsby, whose published
// housing guidelines are in internal/municipal (its routing configuration
// is an example, marked as such).
const demoMunicipality = "0821"

// runDemo runs the whole system in one process on SQLite: the workflow with
// its workers, the register simulator (answering in 50-200 ms), the API and
// the web, with a few dozen synthetic households submitted at start.
func runDemo(ctx context.Context, m *Main, dataDir string, households int, stdout io.Writer) error {
	if households < 0 || households > 10000 {
		return usageErr("--households ska vara 0-10000")
	}
	if dataDir == "" {
		d, err := os.MkdirTemp("", "skalig-demo-")
		if err != nil {
			return err
		}
		dataDir = d
	} else if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	tok := make([]byte, 18)
	rand.Read(tok)
	token := hex.EncodeToString(tok)
	m.Config.Database = filepath.Join(dataDir, "skalig.db")
	if m.Config.AuditKeyFile == "" {
		// A key for the demo only, made at start in the demo's directory
		// (a new temporary one unless --data is given): the audit trail's
		// checkpoints are signed as in production.
		m.Config.AuditKeyFile = filepath.Join(dataDir, "audit-demo.key")
		if _, err := os.Stat(m.Config.AuditKeyFile); os.IsNotExist(err) {
			if _, err := records.NewAuditKeyFile(m.Config.AuditKeyFile); err != nil {
				return err
			}
		}
	}
	m.Config.Registers = "sim"
	m.Config.RegisterDeadline = 2 * time.Minute
	m.Config.APITokens = "demo@*=" + token
	if m.Config.MetricsToken == "" {
		m.Config.MetricsToken = token // the demo's one key, for /metrics too
	}
	// Payment files every few seconds, answered by a simulated bank (all
	// paid out), so that the demo's cases reach paid.
	m.Config.PaymentDir = filepath.Join(dataDir, "betalningar")
	m.PaymentEvery, m.BankSim = 5*time.Second, true
	if m.Config.Workers > 16 {
		m.Config.Workers = 16
	}
	m.SimLatency = map[string]sim.Latency{}
	for _, src := range skalig.RegisterNames {
		m.SimLatency[src] = sim.Latency{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond}
	}
	db, err := store.Open(ctx, m.Config.Database)
	if err != nil {
		return err
	}
	err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	month := skalig.DateOf(time.Now()).Month()
	hs := demo.Generate(m.Config.SimSeed, demoMunicipality, month, households)
	counts := map[demo.Scenario]int{}
	for _, h := range hs {
		if _, _, err := m.Workflow.Submit(ctx, h.App); err != nil {
			m.Close()
			return fmt.Errorf("demo household %s: %w", h.Scenario, err)
		}
		counts[h.Scenario]++
	}
	base := "http://" + m.Addr()
	fmt.Fprintf(stdout, `Skälig demo på %[1]s

Databas (SQLite): %[2]s
%[3]d syntetiska hushåll i Högsby kommun (0821) har skickat in ansökningar för %[4]s.
Registren svarar från simulatorn på 50-200 ms; ärendena beslutas, föreslås eller
lämnas till en handläggare medan du tittar.

`, base, m.Config.Database, len(hs), month)
	for _, sc := range []demo.Scenario{demo.Plain, demo.Family, demo.First, demo.IncomeDiffers, demo.OtherNeed,
		demo.Eviction, demo.HighHousing, demo.Message, demo.RegisterIssues} {
		if counts[sc] > 0 {
			fmt.Fprintf(stdout, "  %3d  %s\n", counts[sc], sc.Swedish())
		}
		if sc == demo.HighHousing && counts[sc] > 0 {
			fmt.Fprintf(stdout, "       (det första beslutar handläggaren, som godtar hyran; provkörningen \"högsta\n"+
				"       boendekostnad 10 %% högre\" visar att det ärendet då hade beslutats automatiskt)\n")
		}
	}
	fmt.Fprintf(stdout, "\nLogga in på Mina sidor (%s/mina-sidor) som en av de påhittade personerna.\n"+
		"Deras historik läggs upp genom arbetsflödet de första sekunderna:\n", base)
	for _, p := range demo.Personas() {
		fmt.Fprintf(stdout, "  %s (%s): %s\n", p.Person().Name(), p.Person().Description, p.Story)
	}
	fmt.Fprintf(stdout, `
Var du kan titta:
%[3]s
  API-nyckel (för demon): %[2]s
  Ärenden per status:  curl -s -H 'Authorization: Bearer %[2]s' '%[1]s/api/v1/cases?state=paid'
                       (status: awaiting_caseworker, sampled, paid, fetching …)
  Ett ärende:          curl -s -H 'Authorization: Bearer %[2]s' %[1]s/api/v1/cases/ÄRENDE-ID
  Beslutsbrev (PDF):   curl -s -H 'Authorization: Bearer %[2]s' -o brev.pdf %[1]s/api/v1/cases/ÄRENDE-ID/letter.pdf
  API-dokument:        %[1]s/api/v1/openapi.json
  Mätvärden:           curl -s -H 'Authorization: Bearer %[2]s' %[1]s/metrics
  På kommandoraden (i en annan terminal):
    SKALIG_DATABASE=%[4]s go run ./cmd/skalig decision replay --all
    SKALIG_DATABASE=%[4]s SKALIG_AUDIT_KEY_FILE=%[5]s go run ./cmd/skalig audit verify
    SKALIG_DATABASE=%[4]s go run ./cmd/skalig jobs
    SKALIG_DATABASE=%[4]s go run ./cmd/skalig payments runs
    SKALIG_DATABASE=%[4]s go run ./cmd/skalig stats --month %[7]s
    SKALIG_DATABASE=%[4]s go run ./cmd/skalig letter ÄRENDE-ID --pdf --out brev.pdf
  Betalningsfiler (pain.001) och bankens svar (camt.054, simulerade): %[6]s

Avsluta med Ctrl-C.
`, base, token, m.webInfo(base), m.Config.Database, m.Config.AuditKeyFile, m.Config.PaymentDir, month)
	if m.personasDone == nil {
		m.personasDone = make(chan error, 1)
	}
	go func() {
		err := m.seedPersonas(ctx, m.Config.SimSeed, demoMunicipality, month)
		if err == nil {
			err = m.decideHighHousing(ctx, hs)
		}
		if err != nil {
			m.Logger.Error("demo: the personas' history", "err", err)
		} else {
			m.Logger.Info("demo: the personas' history is in place")
		}
		m.personasDone <- err
	}()
	return m.Serve(ctx)
}
