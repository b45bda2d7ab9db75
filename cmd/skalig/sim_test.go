package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/registry"
	"skalig/internal/registry/registrytest"
	"skalig/internal/registry/sim"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSimRegisters runs "skalig sim registers" on a free port and asks it
// over mutual TLS with the certificates it wrote.
func TestSimRegisters(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runSimContext(ctx, []string{"registers", "--addr", "127.0.0.1:0", "--seed", "3", "--certs", dir,
			"--latency", "all=0-1ms", "--faults", "ts:error=1"}, &out, &errb)
	}()
	url := ""
	re := regexp.MustCompile(`https://\S+/ssbtek`)
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		url = re.FindString(out.String())
	}
	if url == "" {
		cancel()
		t.Fatalf("no URL printed:\n%s\n%s", out.String(), errb.String())
	}
	cfg := registry.DefaultConfig()
	cfg.BaseURL, cfg.OrgNumber, cfg.OrgName = url, "212000-0142", "Testkommunen"
	cfg.CertFile, cfg.KeyFile, cfg.CAFile = dir+"/"+sim.ClientCertFile, dir+"/"+sim.ClientKeyFile, dir+"/"+sim.CAFile
	cfg.Retry.MaxAttempts = 1
	cfg.Logger = slog.New(slog.DiscardHandler)
	c, err := registry.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pn := sim.TestPersonnummer(4)
	month := skalig.MonthOf(2025, 3)
	req := skalig.RegisterRequest{Person: pn, PersonID: "p1", From: month, To: month}
	ans, err := c.Fetch(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	registrytest.Check(t, req, ans)
	prof := sim.ProfileOf(3, pn, month)
	for _, p := range ans.Parts {
		if p.Source == skalig.RegisterTransport {
			if p.Err == nil {
				t.Errorf("ts answered with --faults ts:error=1")
			}
			continue
		}
		if p.Err != nil {
			t.Errorf("%s: %v", p.Source, p.Err)
		}
		if got, want := len(p.Facts), countFacts(prof, p.Source); got != want {
			t.Errorf("%s: %d facts, want the profile's %d", p.Source, got, want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK || !strings.Contains(out.String(), "har stannat") {
			t.Errorf("exit %d, output:\n%s%s", code, out.String(), errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the simulator did not stop")
	}
}

func countFacts(p sim.Profile, source string) int {
	n := 0
	for _, f := range p.Facts {
		if f.Source == skalig.RegisterSource(source) {
			n++
		}
	}
	return n
}

func TestSimUsage(t *testing.T) {
	for _, args := range [][]string{
		nil, {"nothing"}, {"registers", "--faults", "all=2"}, {"registers", "--latency", "fk=9-1ms"},
		{"registers", "--addr", "nohost"}, {"registers", "extra"}, {"persons", "--month", "2025-13"}, {"persons", "--n", "0"},
	} {
		var out, errb bytes.Buffer
		if code := runSimContext(context.Background(), args, &out, &errb); code != exitUsage || errb.Len() == 0 {
			t.Errorf("sim %v: exit %d, stderr %q; want %d and a message", args, code, errb.String(), exitUsage)
		}
	}
}

func TestSimPersons(t *testing.T) {
	var out bytes.Buffer
	if code := runSimContext(context.Background(), []string{"persons", "--n", "3", "--first", "10", "--seed", "2"}, &out, io.Discard); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], sim.TestPersonnummer(10).Canonical()) {
		t.Errorf("output:\n%s", out.String())
	}
}
