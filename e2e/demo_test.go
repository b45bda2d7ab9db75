package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
	"skalig/internal/letters"
)

// demoServer is `skalig demo` as a person starts it: the binary built from
// cmd/skalig, run with its own SQLite database in a temporary directory,
// the register simulator, the simulated bank and the development login.
type demoServer struct {
	URL string
	cmd *exec.Cmd
}

// startDemo builds cmd/skalig and runs `skalig demo` with households
// synthetic households on a free port, and waits until the demo says the
// personas' history is in place (it makes it through the workflow in the
// first seconds). The process is stopped (SIGINT, then killed) when the
// test ends.
func startDemo(t *testing.T, households int) *demoServer {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "skalig")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/skalig").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/skalig: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "demo", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"),
		"--households", fmt.Sprint(households))
	// The demo's own settings only: none of the caller's SKALIG_*.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SKALIG_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "SKALIG_LOG_LEVEL=info")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { wg.Wait(); cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	base := make(chan string, 1)
	ready := make(chan error, 1)
	var logTail strings.Builder
	var mu sync.Mutex
	wg.Add(2)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`^Skälig demo på (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				base <- m[1]
			}
		}
	}()
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			if logTail.Len() < 20000 {
				logTail.WriteString(line + "\n")
			}
			mu.Unlock()
			switch {
			case strings.Contains(line, "the personas' history is in place"):
				ready <- nil
			case strings.Contains(line, "demo: the personas' history") && strings.Contains(line, "err="):
				ready <- fmt.Errorf("%s", line)
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	s := &demoServer{cmd: cmd}
	timeout := time.After(4 * time.Minute)
	for s.URL == "" {
		select {
		case s.URL = <-base:
		case <-timeout:
			t.Fatal("the demo printed no address in 4 minutes")
		}
	}
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("the demo's personas: %v", err)
		}
	case <-timeout:
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("the personas' history was not in place after 4 minutes; the demo's log:\n%s", logTail.String())
	}
	return s
}

// demoLogin logs the tab in as the development provider's person sub from
// path (a page that needs a login), and ends on path.
func (s *demoServer) demoLogin(t *testing.T, ctx context.Context, sub, path string) {
	t.Helper()
	if st := navigate(t, ctx, s.URL+path); st != http.StatusOK {
		t.Fatalf("%s before login: status %d", path, st)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("p-"+sub))); err != nil {
		t.Fatalf("choose %s at the development login: %v", sub, err)
	}
	follow(t, ctx, chromedp.Click(chromedp.CSS(`button[value="login"]`)))
	if loc := location(t, ctx); !strings.HasPrefix(loc, s.URL+path) {
		t.Fatalf("after login at %s, want %s", loc, path)
	}
}

// TestDemoPersonaWalk: the demo as a person meets it. Alva Testsson logs
// in through the development login and finds her earlier months decided
// in Mina sidor (and Cecilia Demosson her open document request); Alva
// applies for the next month through the whole e-service with the
// keyboard alone and sees the decision (or, if her case was drawn, the
// sample control's message). Then Sara Handläggarsson finds Alva by name
// through the search. Every page passes axe.
func TestDemoPersonaWalk(t *testing.T) {
	browser(t) // skip before building when there is no browser
	s := startDemo(t, 4)
	month := skalig.DateOf(time.Now()).Month() // the demo's month
	alva := person(t, devidp.AlvaTestsson)
	var history int
	for _, p := range demo.Personas() {
		if p.Subject == devidp.AlvaTestsson {
			history = p.History
		}
	}

	// Cecilia's household has an open request for documents.
	t.Run("CeciliaDocumentRequest", func(t *testing.T) {
		ctx := newTab(t)
		s.demoLogin(t, ctx, devidp.CeciliaDemosson, "/mina-sidor")
		wantText(t, ctx, "Välkommen, Cecilia Demosson.", "Du behöver göra något",
			"Ansökan för "+letters.MonthSwedish(month))
		checkA11y(t, ctx)
		follow(t, ctx, chromedp.Click(chromedp.CSS(`main a[href^="/mina-sidor/arenden/"]`)))
		wantText(t, ctx, "Kvitto eller prisuppgift på vinterkläderna", "Skicka senast")
		checkA11y(t, ctx)
	})

	var ref string
	t.Run("AlvaApplies", func(t *testing.T) {
		ctx := newTab(t)
		s.demoLogin(t, ctx, devidp.AlvaTestsson, "/mina-sidor")
		// Her earlier months, decided (and paid, as the simulated bank
		// answers).
		wantText(t, ctx, "Välkommen, "+alva.Name()+".")
		for k := 1; k <= history; k++ {
			wantText(t, ctx, "Ansökan för "+letters.MonthSwedish(month-skalig.Month(k)))
		}
		if n := strings.Count(pageText(t, ctx), "Beslut: "); n < history {
			t.Errorf("Mina sidor shows %d decisions, want the %d earlier months", n, history)
		}
		wantText(t, ctx, "Ansökan är ifylld med det du skrev förra gången")
		checkA11y(t, ctx)

		// The next month, with the keyboard only: the answers are those
		// of last time, so each step is checked and sent on.
		tabTo(t, ctx, `form[action="/ansokan"] button`)
		enter(t, ctx)
		seen := map[string]bool{}
		for i := 0; !strings.Contains(pageText(t, ctx), "Kontrollera och skicka"); i++ {
			loc := location(t, ctx)
			if seen[loc] || i > 12 {
				t.Fatalf("stuck at %s:\n%s", loc, pageText(t, ctx))
			}
			seen[loc] = true
			if i == 0 {
				checkA11y(t, ctx)
			}
			nextByKeyboard(t, ctx)
		}
		wantText(t, ctx, "4 150 kr") // her rent, as last time
		checkA11y(t, ctx)
		tabTo(t, ctx, "#f-confirm")
		pressKey(t, ctx, " ")
		if !eval[bool](t, ctx, `document.getElementById('f-confirm').checked`) {
			t.Fatal("Space did not tick the confirmation")
		}
		nextByKeyboard(t, ctx)
		wantText(t, ctx, "Vi har tagit emot din ansökan")
		ref = eval[string](t, ctx, `document.getElementById('case-ref').textContent`)
		if !regexp.MustCompile(`^\d{4}-0821-\d{6}$`).MatchString(ref) {
			t.Fatalf("the receipt's case number %q", ref)
		}
		id := eval[string](t, ctx, `document.getElementById('case-id').textContent`)
		checkA11y(t, ctx)

		// The decision, within seconds while she watches: Mina sidor,
		// then the case, read again until the robot has decided (or drawn
		// the case for a sample control).
		tabTo(t, ctx, `main a[href="/mina-sidor"]`)
		enter(t, ctx)
		tabTo(t, ctx, `main a[href="/mina-sidor/arenden/`+id+`"]`)
		enter(t, ctx)
		caseURL := location(t, ctx)
		deadline := time.Now().Add(45 * time.Second)
		for {
			text := pageText(t, ctx)
			if strings.Contains(text, "Din ansökan har valts ut slumpvis för kontroll") {
				t.Log("Alva's application was drawn for a sample control")
				break
			}
			if strings.Contains(text, "Försörjningsstöd för månaden") && strings.Contains(text, "Beslutsdatum") {
				wantText(t, ctx, "Se hur beloppet är uträknat")
				break
			}
			if strings.Contains(text, "hos en handläggare") {
				t.Fatalf("Alva's monthly application stopped for a caseworker:\n%s", text)
			}
			if time.Now().After(deadline) {
				t.Fatalf("no decision after 45 s:\n%s", text)
			}
			time.Sleep(time.Second)
			navigate(t, ctx, caseURL)
		}
		if !strings.Contains(pageText(t, ctx), ref) {
			t.Errorf("the case page does not show the case number %s", ref)
		}
		checkA11y(t, ctx)
	})
	if ref == "" {
		t.Fatal("Alva's application was not submitted")
	}

	// Sara finds Alva by name: typed in lower case, with the keyboard.
	t.Run("CaseworkerFindsAlva", func(t *testing.T) {
		ctx := newTab(t)
		s.demoLogin(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/sok")
		tabTo(t, ctx, "#f-q")
		typeKeys(t, ctx, strings.ToLower(alva.Name()))
		enter(t, ctx)
		if title, loc := eval[string](t, ctx, `document.title`), location(t, ctx); strings.Contains(loc, "?") ||
			strings.Contains(title, alva.PersonalNumber.Canonical()[:8]) {
			t.Errorf("after the search: address %s, title %q", loc, title)
		}
		rows := eval[int](t, ctx, `document.querySelectorAll('#search-results tbody tr').length`)
		if rows < history+1 {
			t.Errorf("the search by name shows %d cases, want Alva's %d", rows, history+1)
		}
		wantText(t, ctx, alva.Name(), ref)
		checkA11y(t, ctx)
		tabTo(t, ctx, `#search-results a`)
		enter(t, ctx)
		h1 := eval[string](t, ctx, `document.querySelector('h1').textContent`)
		if !strings.HasPrefix(h1, alva.Name()+", ärende ") || strings.Contains(h1, alva.PersonalNumber.Canonical()[:8]) {
			t.Errorf("the case page's heading %q, want her name and the case number", h1)
		}
		checkA11y(t, ctx)
		// The name is no search term that leaks: nothing for a name that
		// is nobody's.
		navigate(t, ctx, s.URL+"/handlaggning/sok")
		tabTo(t, ctx, "#f-q")
		typeKeys(t, ctx, "Ingen Sådan Persson")
		enter(t, ctx)
		wantText(t, ctx, "Inga ärenden i din kommun matchar sökningen.")
	})
}

// TestDemoParametersFourEyes: in the demo an administrator's parameter file
// can be approved, as the four-eyes rule wants, by the demo's second
// administrator: Wilma Adminsson loads next year's table, Xenia Adminberg
// approves it, and the year is no longer listed as missing. (With one
// administrator the demo could never get past "Väntar på en annan
// administratör".)
func TestDemoParametersFourEyes(t *testing.T) {
	browser(t)
	s := startDemo(t, 1)
	next := skalig.DateOf(time.Now()).Y + 1
	file := fmt.Sprintf("../internal/params/testdata/year-%d-testdata.tsv", next)
	if _, err := os.Stat(file); err != nil {
		t.Skipf("no test table for %d: %v", next, err)
	}
	file, err := filepath.Abs(file) // the browser uploads by absolute path
	if err != nil {
		t.Fatal(err)
	}
	wilma := newTab(t)
	s.demoLogin(t, wilma, devidp.WilmaAdminsson, "/handlaggning/parametrar")
	if err := chromedp.Do(wilma, chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{file})); err != nil {
		t.Fatal(err)
	}
	follow(t, wilma, chromedp.Click(chromedp.CSS(`form[action$="/parametrar/import"] button`)))
	wantText(t, wilma, "Väntar på en annan administratör")
	checkA11y(t, wilma)

	xenia := newTab(t)
	s.demoLogin(t, xenia, devidp.XeniaAdminberg, "/handlaggning/parametrar")
	follow(t, xenia, chromedp.Click(chromedp.CSS(`form[action$="/parametrar/godkann"] button`)))
	wantText(t, xenia, "Xenia Adminberg")
	if txt := pageText(t, xenia); strings.Contains(txt, fmt.Sprintf("riksnorm %d (", next)) {
		t.Errorf("after the approval the page still lists riksnorm %d as missing", next)
	}
	checkA11y(t, xenia)
}
