package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skalig/internal/config"
)

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestCalcExamples checks `skalig calc --json` against every worked example
// in examples/ with the expected figures from the shared domain examples
// (kept in the legislation cases as 00_example_*).
func TestCalcExamples(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*.json")
	if len(files) < 6 {
		t.Fatalf("%d examples, want 6", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			caseFile := filepath.Join("../../internal/rules/testdata/cases", "00_example_"+name+".json")
			raw, err := os.ReadFile(caseFile)
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				Expect map[string]any `json:"expect"`
			}
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCmd(t, "", "calc", "--json", f)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, stdout)
			}
			for k, want := range c.Expect {
				if got[k] != want {
					t.Errorf("%s=%v, want %v", k, got[k], want)
				}
			}
			for _, k := range []string{"month", "status", "review_reasons", "norm", "reasonable_costs", "other_costs", "income_counted", "aid", "surplus", "parameters", "trace"} {
				if _, ok := got[k]; !ok {
					t.Errorf("output lacks %q", k)
				}
			}
		})
	}
}

func TestCalcTable(t *testing.T) {
	code, stdout, stderr := runCmd(t, "", "calc", "../../examples/family_three_children_2025.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Försörjningsstöd för 2025-12", "10\u00a0220\u00a0kr", "SoF (2025:468) 12 kap. 2 §", "riksnorm.2025.adult_personal.couple", "Status: klar"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
}

func TestCalcStdinAndMunicipality(t *testing.T) {
	in := `{"month":"2025-03","people":[{"id":"p1","role":"applicant","birth_date":"1980-01-01"}],"costs":[{"kind":"housing","amount":6000}]}`
	code, stdout, stderr := runCmd(t, in, "calc", "--json", "--municipality", "0821", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Status        string   `json:"status"`
		ReviewReasons []string `json:"review_reasons"`
		Aid           float64  `json:"aid"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	// Högsby's 2023 maximum for one adult is 4 474 kr: above it the cost is
	// still approved (transition period) but a person must look.
	if got.Status != "needs_review" || len(got.ReviewReasons) != 1 || got.ReviewReasons[0] != "housing_above_guideline" {
		t.Errorf("status=%s reasons=%v, want needs_review [housing_above_guideline]", got.Status, got.ReviewReasons)
	}
	if got.Aid != 3910+1270+6000 {
		t.Errorf("Aid=%v, want %v", got.Aid, 3910+1270+6000)
	}
	code, _, stderr = runCmd(t, in, "calc", "--municipality", "9999", "-")
	if code != 2 || !strings.Contains(stderr, "--municipality") {
		t.Errorf("unknown municipality: exit %d, stderr %q", code, stderr)
	}
}

func TestCalcInvalid(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"ErrBirthDate":   {`{"month":"2025-03","people":[{"id":"p1","role":"applicant","birth_date":"1980-01-01"},{"id":"c1","role":"child","birth_date":"2020-02-30"}]}`, "people[1].birth_date: datum saknas eller är ogiltigt (ÅÅÅÅ-MM-DD)"},
		"ErrUnknown":     {`{"month":"2025-03","people":[{"id":"p1","role":"applicant","birth_date":"1980-01-01"}],"cost":[]}`, "cost: okänt fält"},
		"ErrSyntax":      {`{"month":`, "(hela texten)"},
		"ErrNoRiksnorm":  {`{"month":"2018-03","people":[{"id":"p1","role":"applicant","birth_date":"1980-01-01"}]}`, "month: det finns ingen riksnorm för 2018"},
		"ErrNotAnObject": {`[]`, "ska vara ett objekt"},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tc.in, "calc", "-")
			if code != 2 {
				t.Errorf("exit=%d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout=%q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr=%q, want it to contain %q", stderr, tc.want)
			}
			for _, bad := range []string{"json:", "panic", "goroutine", "strconv"} {
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr leaks Go text %q: %s", bad, stderr)
				}
			}
		})
	}
	t.Run("ErrNoFile", func(t *testing.T) {
		code, _, stderr := runCmd(t, "", "calc", "does-not-exist.json")
		if code != 2 || !strings.Contains(stderr, "filen finns inte") {
			t.Errorf("exit=%d stderr=%q", code, stderr)
		}
	})
}

func TestRulesTest(t *testing.T) {
	code, stdout, _ := runCmd(t, "", "rules", "test", "../../internal/rules/testdata/cases")
	if code != 0 || !strings.Contains(stdout, " passed, 0 failed") {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
	// A failing case makes the command fail.
	dir := t.TempDir()
	bad := `{"description":"wrong on purpose","input":{"month":"2025-09","people":[{"id":"p1","role":"applicant","birth_date":"1993-06-01"}]},"expect":{"aid":1}}`
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCmd(t, "", "rules", "test", dir)
	if code != 1 || !strings.Contains(stdout, "0 passed, 1 failed") || !strings.Contains(stdout, "aid=5180") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

func TestParamsShow(t *testing.T) {
	code, stdout, _ := runCmd(t, "", "params", "show", "--year", "2024")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"riksnorm.2024.adult_personal.single", "3\u00a0800\u00a0kr", "secondary", "prisbasbelopp.2024", "57\u00a0300\u00a0kr", "jobbstimulans.rate"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("params show lacks %q", want)
		}
	}
	if code, _, _ := runCmd(t, "", "params", "show", "--year", "1999"); code != 2 {
		t.Errorf("year without data: exit %d, want 2", code)
	}
}

func TestVersionAndUsage(t *testing.T) {
	if code, stdout, _ := runCmd(t, "", "version"); code != 0 || !strings.HasPrefix(stdout, "skalig ") {
		t.Errorf("version: exit %d %q", code, stdout)
	}
	if code, _, stderr := runCmd(t, "", "frobnicate"); code != 2 || !strings.Contains(stderr, "okänt kommando") {
		t.Errorf("unknown command: exit %d %q", code, stderr)
	}
}

// TestServe runs Main on a free port and calculates over real HTTP.
func TestServe(t *testing.T) {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.LogLevel = "warn"
	cfg.Database = filepath.Join(t.TempDir(), "skalig.db")
	m := &Main{Config: cfg}
	if err := m.Open(context.Background()); err == nil || !strings.Contains(err.Error(), "skalig migrate") {
		t.Fatalf("Open on an unmigrated database: %v, want a refusal naming skalig migrate", err)
	}
	if code, out, errs := runCmd(t, "", "migrate", "--database", cfg.Database); code != 0 || !strings.Contains(out, "uppdaterat") {
		t.Fatalf("migrate: exit %d %q %q", code, out, errs)
	}
	m = &Main{Config: cfg}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	body, err := os.ReadFile("../../examples/single_adult_2025.json")
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post("http://"+m.Addr()+"/api/v1/calculations", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Aid float64 `json:"aid"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || got.Aid != 6680 {
		t.Errorf("status=%d aid=%v, want 200 and 6680", resp.StatusCode, got.Aid)
	}
	resp2, err := client.Post("http://"+m.Addr()+"/api/v1/calculations?municipality=0821", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 200 {
		t.Errorf("with municipality: status=%d, want 200", resp2.StatusCode)
	}
}

// TestBinary builds the real program and checks exit statuses and output
// streams as a shell user sees them.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "skalig")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "calc", "--json", "../../examples/lodger_2025.json")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("calc: %v", err)
	}
	if !bytes.Contains(out, []byte(`"aid": 7500`)) {
		t.Errorf("calc output lacks aid 7500:\n%s", out)
	}
	cmd = exec.Command(bin, "calc", "-")
	cmd.Stdin = strings.NewReader(`{"month":"2025-13","people":[]}`)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("invalid input: err=%v, want exit status 2", err)
	}
	if !strings.Contains(stderr.String(), "month: månaden saknas eller är ogiltig (ÅÅÅÅ-MM)") {
		t.Errorf("stderr=%q", stderr.String())
	}
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}
