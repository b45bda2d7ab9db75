package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/store"
)

// statsDB returns the DSN of a migrated database holding n submitted
// continued applications of single people in 0821 for 2026-11.
func statsDB(t *testing.T, n int) string {
	t.Helper()
	dsn := dbtest.DSN(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cases := store.NewCaseStore(db)
	for i := range n {
		pn := skalig.PersonalNumber("198001019" + fmt.Sprintf("%02d", 10+i))
		for d := 0; d < 10 && pn.Validate() != nil; d++ {
			pn = skalig.PersonalNumber(string(pn[:11]) + fmt.Sprint(d))
		}
		app := &skalig.Application{Municipality: "0821", Kind: skalig.MonthlyApplication, Month: skalig.MonthOf(2026, 11),
			IdempotencyKey: fmt.Sprintf("cli-%d", i),
			Members:        []skalig.Member{{ID: "p1", PersonalNumber: pn, Role: skalig.RoleApplicant}}}
		if _, _, err := cases.SubmitApplication(ctx, app); err != nil {
			t.Fatal(err)
		}
	}
	return dsn
}

func TestStatsCommand(t *testing.T) {
	dsn := statsDB(t, 3)
	t.Run("Text", func(t *testing.T) {
		code, out, errs := runCmd(t, "", "stats", "--database", dsn, "--municipality", "0821", "--month", "2026-11")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if !strings.Contains(out, "Uppföljning för kommun 0821, ansökningsmånad 2026-11") {
			t.Errorf("no heading in:\n%s", out)
		}
		// Three applications, all single people, none decided.
		found := false
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "Ansökningar ") {
				found = true
				if f := strings.Fields(line); len(f) != 7 || f[1] != "3" || f[2] != "3" || f[3] != "0" {
					t.Errorf("applications row %q, want 3 in total and for single people", line)
				}
			}
		}
		if !found || testing.Verbose() {
			t.Logf("output:\n%s", out)
		}
	})
	t.Run("CSV", func(t *testing.T) {
		code, out, errs := runCmd(t, "", "stats", "--database", dsn, "--month", "2026-11", "--csv")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if !strings.HasPrefix(out, "municipality,month,group,figure,value\n") ||
			!strings.Contains(out, "0821,2026-11,all,applications,3\n") || !strings.Contains(out, "0821,2026-11,single,open,3\n") {
			t.Errorf("CSV:\n%s", out)
		}
	})
	t.Run("ErrMonth", func(t *testing.T) {
		code, _, errs := runCmd(t, "", "stats", "--database", dsn, "--month", "2026-13")
		if code != exitUsage || !strings.Contains(errs, "--month: Ange månaden som ÅÅÅÅ-MM") {
			t.Errorf("exit %d, %q; want usage naming --month", code, errs)
		}
	})
	t.Run("ErrNoData", func(t *testing.T) {
		code, _, errs := runCmd(t, "", "stats", "--database", dsn, "--month", "2026-12")
		if code != exitFailure || !strings.Contains(errs, "--month: Kommun 0821 har inga ansökningar för 2026-12.") {
			t.Errorf("exit %d, %q; want failure naming --month", code, errs)
		}
	})
	t.Run("ErrMunicipality", func(t *testing.T) {
		code, _, errs := runCmd(t, "", "stats", "--database", dsn, "--municipality", "99", "--month", "2026-11")
		if code != exitUsage || !strings.Contains(errs, "--municipality:") {
			t.Errorf("exit %d, %q; want usage naming --municipality", code, errs)
		}
	})
}

func TestReportDelegationCommand(t *testing.T) {
	dsn := statsDB(t, 2)
	code, out, errs := runCmd(t, "", "report", "delegation", "--database", dsn, "--from", "2026-10", "--to", "2026-11")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"kommunallagen 6 kap. 40 §", "2 ansökningar", "Inga automatiserade beslut", "Ändrade beslut", "Omprövning och överklagande"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = runCmd(t, "", "report", "delegation", "--database", dsn, "--from", "2026-10", "--to", "2026-11", "--csv")
	if code != exitOK || !strings.Contains(out, "0821,2026-10,2026-11,all,,all,cases,2\n") {
		t.Errorf("exit %d, %s; CSV:\n%s", code, errs, out)
	}
	code, _, errs = runCmd(t, "", "report", "delegation", "--database", dsn, "--from", "2026-11", "--to", "2026-10")
	if code != exitUsage || !strings.Contains(errs, "--to: Slutmånaden kan inte vara före startmånaden.") {
		t.Errorf("reversed period: exit %d, %q", code, errs)
	}
	code, _, errs = runCmd(t, "", "report", "delegation", "--database", dsn, "--from", "2025-01", "--to", "2025-02")
	if code != exitFailure || !strings.Contains(errs, "--from: Kommun 0821 har inga ansökningar för 2025-01–2025-02.") {
		t.Errorf("empty period: exit %d, %q", code, errs)
	}
	// The PDF for the board's agenda: written to --out, whose path is
	// printed; a period without data writes nothing.
	file := filepath.Join(t.TempDir(), "rapport.pdf")
	code, out, errs = runCmd(t, "", "report", "delegation", "--database", dsn, "--from", "2026-10", "--to", "2026-11", "--pdf", "--out", file)
	if code != exitOK || strings.TrimSpace(out) != file {
		t.Fatalf("--pdf: exit %d, %q, %q", code, out, errs)
	}
	if b, err := os.ReadFile(file); err != nil || !bytes.HasPrefix(b, []byte("%PDF-1.7")) {
		t.Fatalf("the report PDF: %v", err)
	}
	if _, err := exec.LookPath("pdfinfo"); err == nil {
		info, err := exec.Command("pdfinfo", file).CombinedOutput()
		if err != nil || !strings.Contains(string(info), "Tagged:          yes") ||
			!strings.Contains(string(info), "Title:           Återrapportering av delegerade beslut om ekonomiskt bistånd, Högsby kommun, 2026-10–2026-11") {
			t.Errorf("pdfinfo: %v\n%s", err, info)
		}
	}
	empty := filepath.Join(t.TempDir(), "tom.pdf")
	code, _, errs = runCmd(t, "", "report", "delegation", "--database", dsn, "--from", "2025-01", "--to", "2025-02", "--pdf", "--out", empty)
	if _, err := os.Stat(empty); code != exitFailure || err == nil || !strings.Contains(errs, "Det finns inga ärenden för perioden.") {
		t.Errorf("empty period as PDF: exit %d, %q, file %v", code, errs, err)
	}
	if code, _, _ = runCmd(t, "", "report", "delegation", "--database", dsn, "--from", "2026-10", "--to", "2026-11", "--pdf"); code != exitUsage {
		t.Errorf("--pdf without --out: exit %d, want usage", code)
	}
}
