// Command path measures which functions and files one application passes
// through, from the API's submit to the bank's answer read back, by
// coverage: it builds skalig with coverage of every package of the module,
// runs `skalig serve` with the register simulator on a fresh SQLite
// database, submits one application the robot can decide, waits for the
// decision, stops the server, then runs `skalig payments run`,
// `payments simulate-bank` and `payments import` as an operator would. A
// baseline does the same start-up and the same payment run without the
// application. The functions covered in the first run and not in the
// baseline are the application's path; it prints them counted by package
// and file (-list prints every one).
//
//	go run ./bench/path
//	go run ./bench/path -list
//
// The month is this month, or the last month the built-in parameters cover
// (as bench/load), so the command works on any date. A household drawn for
// a sample check is routed to a person, not paid: the run then starts again
// with the next household (at most five times).
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"skalig"
	"skalig/bench/internal/harness"
	"skalig/internal/store"
)

func main() {
	list := flag.Bool("list", false, "print every function of the path")
	keep := flag.Bool("keep", false, "keep the work directory")
	flag.Parse()
	if err := run(context.Background(), *list, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "path:", err)
		os.Exit(1)
	}
}

const seed = 7

func run(ctx context.Context, list, keep bool) error {
	dir, err := os.MkdirTemp("", "skalig-path-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("work directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "skalig")
	fmt.Println("building skalig with coverage of skalig/... …")
	build := exec.CommandContext(ctx, "go", "build", "-cover", "-coverpkg=skalig/...", "-o", bin, "skalig/cmd/skalig")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build -cover: %v\n%s", err, out)
	}
	month, err := harness.ParseMonth("", time.Now())
	if err != nil {
		return err
	}
	hs, err := harness.AutoDecidable(seed, "0821", month, 5)
	if err != nil {
		return err
	}
	base, err := once(ctx, bin, filepath.Join(dir, "baseline"), month, nil)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	var one map[string]bool
	for i := range hs {
		one, err = once(ctx, bin, filepath.Join(dir, fmt.Sprintf("one-%d", i)), month, hs[i].App)
		if err != errSampled {
			break
		}
		fmt.Println("the household was drawn for a sample check; next household")
	}
	if err != nil {
		return err
	}
	var path []string
	for f := range one {
		if !base[f] {
			path = append(path, f)
		}
	}
	slices.Sort(path)
	byPkg, files, simFuncs, simFiles := map[string]int{}, map[string]bool{}, 0, map[string]bool{}
	for _, f := range path {
		file, _, _ := strings.Cut(f, ":")
		files[file] = true
		pkg := strings.TrimPrefix(filepath.Dir(file), "skalig/")
		byPkg[pkg]++
		if pkg == "internal/registry/sim" {
			simFuncs++
			simFiles[file] = true
		}
	}
	fmt.Printf("\none application for %s (0821), submitted through the API, decided by the robot, paid and answered by the bank:\n", month)
	fmt.Printf("%d functions in %d files outside the baseline (%d functions covered in all, %d by the baseline)\n",
		len(path), len(files), len(one), len(base))
	fmt.Printf("without the register simulator (it stands in for the registers): %d functions in %d files\n\n",
		len(path)-simFuncs, len(files)-len(simFiles))
	pkgs := slices.Sorted(maps.Keys(byPkg))
	slices.SortStableFunc(pkgs, func(a, b string) int { return byPkg[b] - byPkg[a] })
	for _, p := range pkgs {
		fmt.Printf("  %-40s %4d\n", p, byPkg[p])
	}
	if list {
		fmt.Println()
		for _, f := range path {
			fmt.Println(" ", f)
		}
	}
	return nil
}

var errSampled = fmt.Errorf("sampled")

// once runs one pass in dir: serve (with app submitted and decided when
// app is not nil), then the payment commands; it returns the functions
// covered, as "file:function".
func once(ctx context.Context, bin, dir string, month skalig.Month, app *skalig.Application) (map[string]bool, error) {
	cov := filepath.Join(dir, "cov")
	if err := os.MkdirAll(cov, 0o755); err != nil {
		return nil, err
	}
	db, err := harness.FreshDatabase(ctx, "sqlite", dir, "path")
	if err != nil {
		return nil, err
	}
	env := []string{"GOCOVERDIR=" + cov, "SKALIG_DATABASE=" + db.DSN}
	if out, err := harness.Run(ctx, bin, env, "migrate", "--database", db.DSN); err != nil {
		return nil, fmt.Errorf("skalig migrate: %v\n%s", err, out)
	}
	token := harness.Token()
	srvEnv := append(env, "SKALIG_REGISTERS=sim", fmt.Sprintf("SKALIG_SIM_SEED=%d", seed),
		"SKALIG_API_TOKENS=path@*="+token, "SKALIG_SIM_LATENCY=all=1ms-5ms")
	srv, err := harness.Start(ctx, bin, db.DSN, 4, srvEnv, filepath.Join(dir, "serve.log"))
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.Stop()
		}
	}()
	if app != nil {
		c := harness.NewClient(token)
		c.SetURL(srv.URL)
		ack, _, err := c.Submit(ctx, app.IdempotencyKey, harness.Request(app), 100*time.Millisecond)
		if err != nil {
			return nil, fmt.Errorf("submit: %w", err)
		}
		if err := decided(ctx, db, ack.CaseID); err != nil {
			return nil, err
		}
	}
	stopped = true
	if err := srv.Stop(); err != nil {
		return nil, fmt.Errorf("stop serve: %w", err)
	}
	out, err := harness.Run(ctx, bin, env, "payments", "run", "--out", filepath.Join(dir, "ut"))
	if err != nil {
		return nil, fmt.Errorf("payments run: %v\n%s", err, out)
	}
	if app != nil {
		id := regexp.MustCompile(`\b[0-9A-HJKMNP-TV-Z]{26}\b`).FindString(out)
		if id == "" {
			return nil, fmt.Errorf("payments run printed no run id:\n%s", out)
		}
		answer, err := harness.Run(ctx, bin, env, "payments", "simulate-bank", id, "--out", filepath.Join(dir, "in"))
		if err != nil {
			return nil, fmt.Errorf("payments simulate-bank: %v\n%s", err, answer)
		}
		if out, err := harness.Run(ctx, bin, env, "payments", "import", strings.TrimSpace(answer)); err != nil {
			return nil, fmt.Errorf("payments import: %v\n%s", err, out)
		}
	}
	return covered(ctx, cov)
}

// decided waits until case id is notified (decided by the robot), or
// reports errSampled when it waits for a person.
func decided(ctx context.Context, d *harness.Database, id string) error {
	db, err := d.Open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	cases := store.NewCaseStore(db)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		c, err := cases.Case(ctx, id)
		if err != nil {
			return err
		}
		switch c.State {
		case skalig.StateNotified:
			return nil
		case skalig.StateAwaitingCaseworker:
			return errSampled
		}
	}
	return fmt.Errorf("case %s not decided within 30 s", id)
}

// covered lists the functions with any coverage in the counters of dir:
// `go tool covdata func` prints "file:line:\tname\tpct%".
func covered(ctx context.Context, dir string) (map[string]bool, error) {
	out, err := exec.CommandContext(ctx, "go", "tool", "covdata", "func", "-i="+dir).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool covdata: %w", err)
	}
	got := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 || fs[0] == "total" || fs[len(fs)-1] == "0.0%" {
			continue
		}
		file, _, _ := strings.Cut(fs[0], ":")
		got[file+":"+fs[1]] = true
	}
	return got, sc.Err()
}
