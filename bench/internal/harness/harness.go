// Package harness is what the whole-program benches (bench/crash,
// bench/load) share: building the real skalig binary, a fresh database
// (a SQLite file, or a schema of its own in a PostgreSQL database),
// starting, killing and stopping `skalig serve`, and submitting
// applications over the JSON API with an idempotency key.
package harness

import (
	"bufio"
	"bytes"
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for creating and dropping schemas

	"skalig"
	"skalig/internal/store"
)

// Build compiles skalig/cmd/skalig into dir and returns the binary's path.
// It runs the go command of the toolchain on PATH, inside the module.
func Build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "skalig")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "skalig/cmd/skalig")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build skalig/cmd/skalig: %v\n%s", err, out)
	}
	return bin, nil
}

// Database is a fresh, empty database for one run.
type Database struct {
	DSN     string // what skalig --database gets
	Dialect string // "sqlite" or "postgres"
	// Schema is the PostgreSQL schema made for the run ("" on SQLite).
	Schema string
	admin  *sql.DB
}

// FreshDatabase returns a new empty database: for spec "sqlite" (or "")
// a file skalig.db in dir (removing one left there); for a postgres:// URL a new schema
// bench_<name>_<random> in that database, selected through search_path.
func FreshDatabase(ctx context.Context, spec, dir, name string) (*Database, error) {
	if spec == "" || spec == "sqlite" {
		path := filepath.Join(dir, "skalig.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		}
		return &Database{DSN: path, Dialect: "sqlite"}, nil
	}
	if !strings.HasPrefix(spec, "postgres://") && !strings.HasPrefix(spec, "postgresql://") {
		return nil, fmt.Errorf("database %q: give sqlite or a postgres:// URL", spec)
	}
	var b [4]byte
	crand.Read(b[:])
	schema := "bench_" + name + "_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", spec)
	if err != nil {
		return nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	u, err := url.Parse(spec)
	if err != nil {
		admin.Close()
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return &Database{DSN: u.String(), Dialect: "postgres", Schema: schema, admin: admin}, nil
}

// Drop removes a PostgreSQL run's schema; on SQLite the file goes with its
// directory.
func (d *Database) Drop(ctx context.Context) error {
	if d.admin == nil {
		return nil
	}
	defer d.admin.Close()
	_, err := d.admin.ExecContext(ctx, `DROP SCHEMA `+d.Schema+` CASCADE`)
	return err
}

// Open opens the run's database for the bench's own queries (its checks),
// through the store, so that both dialects take the same $n SQL.
func (d *Database) Open(ctx context.Context) (*store.DB, error) { return store.Open(ctx, d.DSN) }

// Time scans an instant as the store keeps it: timestamptz on PostgreSQL,
// skalig.TimeFormat text on SQLite.
type Time struct{ T time.Time }

// Scan implements sql.Scanner.
func (v *Time) Scan(src any) error {
	var err error
	switch x := src.(type) {
	case nil:
		v.T = time.Time{}
	case time.Time:
		v.T = x.UTC()
	case string:
		v.T, err = skalig.ParseTime(x)
	case []byte:
		v.T, err = skalig.ParseTime(string(x))
	default:
		err = fmt.Errorf("cannot scan %T as a time", src)
	}
	return err
}

// Run runs the binary with args and the environment env (over the
// process's own), and returns its combined output.
func Run(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Server is one running `skalig serve` or `skalig worker` process.
type Server struct {
	URL string // http://127.0.0.1:PORT; "" for a worker
	cmd *exec.Cmd
	log *os.File
	// exited is closed when the process has ended.
	exited chan struct{}
	err    error
}

var (
	listening     = regexp.MustCompile(`msg=listening addr=(http://\S+)`)
	workerRunning = regexp.MustCompile(`msg="worker running"`)
)

// Start starts `skalig serve` on a free port of 127.0.0.1 with the
// database dsn and env, appending its log to logPath, and waits until it
// answers /healthz.
func Start(ctx context.Context, bin, dsn string, workers int, env []string, logPath string) (*Server, error) {
	return StartAt(ctx, bin, dsn, "127.0.0.1:0", workers, env, logPath)
}

// StartAt is Start on the address addr (HOST:PORT; port 0 for a free one).
func StartAt(ctx context.Context, bin, dsn, addr string, workers int, env []string, logPath string) (*Server, error) {
	s, url, err := start(ctx, bin, env, logPath, listening, "serve", "--addr", addr, "--database", dsn, "--workers", fmt.Sprint(workers))
	if err != nil {
		return nil, err
	}
	s.URL = url
	hc := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := hc.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
	}
	s.Kill()
	return nil, fmt.Errorf("skalig serve at %s did not answer /healthz; see %s", s.URL, logPath)
}

// StartWorker starts `skalig worker` (jobs only, no HTTP) with the database
// dsn and env, appending its log to logPath, and waits until it logs that
// it runs.
func StartWorker(ctx context.Context, bin, dsn string, workers int, env []string, logPath string) (*Server, error) {
	s, _, err := start(ctx, bin, env, logPath, workerRunning, "worker", "--database", dsn, "--workers", fmt.Sprint(workers))
	return s, err
}

// start runs bin with args and waits for a line of its log that matches
// ready; it returns the line's first submatch, if any.
func start(ctx context.Context, bin string, env []string, logPath string, ready *regexp.Regexp, args ...string) (*Server, string, error) {
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stdout = lf
	cmd.Stderr = io.MultiWriter(lf, pw)
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, "", err
	}
	s := &Server{cmd: cmd, log: lf, exited: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		pw.Close()
		lf.Close()
		close(s.exited)
	}()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			if m := ready.FindStringSubmatch(sc.Text()); m != nil && !sent {
				m = append(m, "")
				found <- m[1]
				sent = true
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case v := <-found:
		return s, v, nil
	case <-s.exited:
		return nil, "", fmt.Errorf("skalig %s ended before it was ready (%v); see %s", args[0], s.err, logPath)
	case <-time.After(30 * time.Second):
		s.Kill()
		return nil, "", fmt.Errorf("skalig %s was not ready within 30 s; see %s", args[0], logPath)
	case <-ctx.Done():
		s.Kill()
		return nil, "", ctx.Err()
	}
}

// Pid is the process's id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Kill ends the process with SIGKILL, as a crash, and waits for it.
func (s *Server) Kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// Stop asks the process to shut down (SIGTERM) and waits up to 30 s; then
// it kills it. It returns the process's exit error, if any.
func (s *Server) Stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.Kill()
		return errors.New("the process did not stop within 30 s of SIGTERM")
	}
	return s.err
}

// Exited reports whether the process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Request is the JSON body of POST /api/v1/applications for app.
func Request(app *skalig.Application) []byte {
	type member struct {
		ID             string `json:"id"`
		PersonalNumber string `json:"personal_number"`
		Role           string `json:"role"`
	}
	type fact struct {
		Kind   string        `json:"kind"`
		Person string        `json:"person,omitempty"`
		Period string        `json:"period"`
		Amount *skalig.Money `json:"amount,omitempty"` // a JSON number of kronor
		Text   *string       `json:"text,omitempty"`
	}
	req := struct {
		Municipality string   `json:"municipality"`
		Kind         string   `json:"kind"`
		Month        string   `json:"month"`
		Members      []member `json:"members"`
		Facts        []fact   `json:"facts"`
	}{Municipality: app.Municipality, Kind: string(app.Kind), Month: app.Month.String()}
	for _, m := range app.Members {
		req.Members = append(req.Members, member{ID: m.ID, PersonalNumber: m.PersonalNumber.Canonical(), Role: string(m.Role)})
	}
	for _, f := range app.Facts {
		x := fact{Kind: f.Kind, Person: f.PersonID, Period: f.Period.String()}
		if f.Value.IsText {
			t := f.Value.Text
			x.Text = &t
		} else {
			a := f.Value.Amount
			x.Amount = &a
		}
		req.Facts = append(req.Facts, x)
	}
	b, _ := json.Marshal(req)
	return b
}

// Client submits applications to one or more servers whose addresses may
// change (a restarted process may listen on a new port).
type Client struct {
	Token string
	HTTP  *http.Client

	mu   sync.RWMutex
	urls []string
}

// NewClient returns a client with the bearer token.
func NewClient(token string) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 512
	tr.MaxConnsPerHost = 0
	return &Client{Token: token, HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// SetURL points the client at a (new) server.
func (c *Client) SetURL(u string) { c.SetURLAt(0, u) }

// SetURLAt sets the address of the i-th of several servers the client
// spreads its submissions over (each attempt of a submission goes to the
// next one).
func (c *Client) SetURLAt(i int, u string) {
	c.mu.Lock()
	for len(c.urls) <= i {
		c.urls = append(c.urls, "")
	}
	c.urls[i] = u
	c.mu.Unlock()
}

// URL returns the (first) server's current address.
func (c *Client) URL() string { return c.urlAt(0) }

func (c *Client) urlAt(i int) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.urls) == 0 {
		return ""
	}
	return c.urls[i%len(c.urls)]
}

// Ack is the API's answer to an accepted submission.
type Ack struct {
	Status int    // 201 created, 200 the same key seen before
	CaseID string // the case the application opened
	State  string
}

// ErrRetry marks an attempt that did not reach an answer from the API (a
// connection refused or reset, a timeout, a 5xx): the same request with the
// same key is safe to send again.
var ErrRetry = errors.New("no answer; retry with the same key")

// SubmitOnce sends body once with the idempotency key. A 200 or 201 is an
// Ack; a connection error or a 5xx wraps ErrRetry; any other status is an
// error of its own (a bug in the caller or the server).
func (c *Client) SubmitOnce(ctx context.Context, key string, body []byte) (*Ack, error) {
	return c.submitTo(ctx, c.URL(), key, body)
}

func (c *Client) submitTo(ctx context.Context, url, key string, body []byte) (*Ack, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/api/v1/applications", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRetry, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: read answer: %v", ErrRetry, err)
	}
	switch {
	case resp.StatusCode == 200 || resp.StatusCode == 201:
		var cs struct {
			ID    string `json:"id"`
			State string `json:"state"`
		}
		if err := json.Unmarshal(data, &cs); err != nil || cs.ID == "" {
			return nil, fmt.Errorf("status %d with an unreadable case: %q", resp.StatusCode, data)
		}
		return &Ack{Status: resp.StatusCode, CaseID: cs.ID, State: cs.State}, nil
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("%w: status %d: %s", ErrRetry, resp.StatusCode, bytes.TrimSpace(data))
	}
	return nil, fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(data))
}

// Submit sends body with key until the API answers 200 or 201, retrying
// connection errors and 5xx with the same key every retryEvery, until ctx
// ends. With several servers (SetURLAt) each attempt goes to the next. It
// returns the number of attempts too.
func (c *Client) Submit(ctx context.Context, key string, body []byte, retryEvery time.Duration) (*Ack, int, error) {
	first := len(key) // spreads the submissions over the servers
	for _, b := range []byte(key) {
		first = first*31 + int(b)
	}
	first &= 0xffff
	for attempt := 1; ; attempt++ {
		ack, err := c.submitTo(ctx, c.urlAt(first+attempt), key, body)
		if err == nil {
			return ack, attempt, nil
		}
		if !errors.Is(err, ErrRetry) {
			return nil, attempt, err
		}
		select {
		case <-ctx.Done():
			return nil, attempt, fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(retryEvery):
		}
	}
}

// Token returns a random API secret of 32 hex characters.
func Token() string {
	var b [16]byte
	crand.Read(b[:])
	return hex.EncodeToString(b[:])
}
