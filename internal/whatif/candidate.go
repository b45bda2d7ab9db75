package whatif

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"skalig"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/routing"
	"skalig/internal/rules"
	"skalig/internal/workflow/casecalc"
)

// Kind is what a candidate changes.
type Kind string

// Candidate kinds.
const (
	// KindParams: a parameter table (riksnorm.tsv or dated.tsv).
	KindParams Kind = "params"
	// KindMunicipal: a municipality's file (guidelines and routing).
	KindMunicipal Kind = "municipal"
	// KindRouting: one routing configuration version (delegations, CEL
	// rules, sample rate).
	KindRouting Kind = "routing"
	// KindEngine: this program's engine and configuration as they are,
	// against what was decided: the candidate of a new engine version is
	// the program that carries it.
	KindEngine Kind = "engine"
)

// Swedish names the kind for a reader.
func (k Kind) Swedish() string {
	switch k {
	case KindParams:
		return "parametertabell"
	case KindMunicipal:
		return "kommunens riktlinjer"
	case KindRouting:
		return "routningskonfiguration"
	case KindEngine:
		return "beräkningsmotor " + rules.EngineVersion
	}
	return string(k)
}

// Candidate is a change to try over past decisions. Make one with
// ParamsCandidate, MunicipalCandidate, RoutingCandidate or EngineCandidate.
type Candidate struct {
	Kind   Kind
	Name   string // the file (or version) it came from
	Digest string // hex SHA-256 of the candidate as given

	params    *params.Params
	municipal *municipal.Set
	code      string // the municipality of a municipal candidate
	routing   *routing.Config
	data      []byte // the file as given, kept with the run
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ParamsCandidate reads a parameter table in the shape of
// internal/params/data: a riksnorm table (header "year kind key amount_kr
// status source"), whose years replace those years of the embedded table,
// or a dated table (header "id from to value unit status source"), which
// replaces the embedded dated file. The result is loaded and validated by
// params.Parse, as the embedded files are.
func ParamsCandidate(name string, data []byte) (*Candidate, error) {
	rn, dt, err := params.Files()
	if err != nil {
		return nil, err
	}
	header, rows := tsvRows(data)
	switch {
	case strings.HasPrefix(header, "year\t"):
		years := map[string]bool{}
		for _, r := range rows {
			years[strings.SplitN(r, "\t", 2)[0]] = true
		}
		if len(years) == 0 {
			return nil, skalig.Errorf(skalig.EINVALID, "%s: tabellen har inga rader", name)
		}
		var b bytes.Buffer
		eh, erows := tsvRows(rn)
		b.WriteString(eh + "\n")
		for _, r := range erows {
			if !years[strings.SplitN(r, "\t", 2)[0]] {
				b.WriteString(r + "\n")
			}
		}
		for _, r := range rows {
			b.WriteString(r + "\n")
		}
		rn = b.Bytes()
	case strings.HasPrefix(header, "id\t"):
		dt = data
	default:
		return nil, skalig.Errorf(skalig.EINVALID, "%s: ange en riksnormstabell (rubrikraden börjar med year) eller en tabell med daterade parametrar (rubrikraden börjar med id)", name)
	}
	p, err := params.Parse(bytes.NewReader(rn), bytes.NewReader(dt))
	if err != nil {
		return nil, skalig.Errorf(skalig.EINVALID, "%s: %v", name, err)
	}
	return &Candidate{Kind: KindParams, Name: name, Digest: digest(data), params: p, data: data}, nil
}

// tsvRows returns the header row and the data rows of a TSV file, without
// comments and empty lines.
func tsvRows(data []byte) (string, []string) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	header := ""
	var rows []string
	for sc.Scan() {
		t := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(t) == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if header == "" {
			header = t
			continue
		}
		rows = append(rows, t)
	}
	return header, rows
}

// MunicipalCandidate reads a municipality's file (the shape of
// internal/municipal/data/CODE.json): its guideline versions and routing
// versions replace the municipality's for every case of it. The file is
// validated as the embedded ones are.
func MunicipalCandidate(name string, data []byte) (*Candidate, error) {
	code, err := municipalCode(data)
	if err != nil {
		return nil, skalig.Errorf(skalig.EINVALID, "%s: %v", name, err)
	}
	set, err := municipal.Parse(map[string][]byte{code + ".json": data})
	if err != nil {
		return nil, skalig.Errorf(skalig.EINVALID, "%s: %v", name, err)
	}
	return &Candidate{Kind: KindMunicipal, Name: name, Digest: digest(data), municipal: set, code: code, data: data}, nil
}

// RoutingCandidate reads one routing configuration version (an element of
// the "routing" list of a municipal file) that replaces the routing of
// every case of the run, whatever month it is from.
//
// A version that does not validate is EINVALID in Swedish, every problem
// on its field in the version ("rules[0].expression": "Regel 1
// (stort_hushall), villkor: …", routing.ReadVersion), the message led by
// name.
func RoutingCandidate(name string, data []byte) (*Candidate, error) {
	c, err := routing.ReadVersion(data)
	if err != nil {
		var e *skalig.Error
		if errors.As(err, &e) {
			e.Message = name + ": " + e.Message
			return nil, e
		}
		return nil, skalig.Errorf(skalig.EINVALID, "%s: %v", name, err)
	}
	return &Candidate{Kind: KindRouting, Name: name, Digest: digest(data), routing: c, data: data}, nil
}

// NewCandidate reads a candidate of kind from data (none for the engine).
// An unknown kind is EINVALID.
func NewCandidate(kind Kind, name string, data []byte) (*Candidate, error) {
	switch kind {
	case KindParams:
		return ParamsCandidate(name, data)
	case KindMunicipal:
		return MunicipalCandidate(name, data)
	case KindRouting:
		return RoutingCandidate(name, data)
	case KindEngine:
		return EngineCandidate(), nil
	}
	return nil, skalig.Errorf(skalig.EINVALID, "okänd kandidat %q: välj params, municipal, routing eller engine", kind)
}

// EngineCandidate is this program's engine and the live configuration, to
// be compared with what was decided (possibly by another engine version).
func EngineCandidate() *Candidate {
	return &Candidate{Kind: KindEngine, Name: rules.EngineVersion, Digest: digest([]byte(rules.EngineVersion))}
}

// Live is the configuration in force: what the workflow decides with.
type Live struct {
	Params    *params.Params
	Municipal casecalc.Municipal
}

// apply returns the configuration with the candidate in place of what it
// replaces, and whether the calculation can differ from live's.
func (c *Candidate) apply(live Live) (Live, bool) {
	switch c.Kind {
	case KindParams:
		return Live{Params: c.params, Municipal: live.Municipal}, true
	case KindMunicipal:
		return Live{Params: live.Params, Municipal: &overlay{live: live.Municipal, code: c.code, set: c.municipal}}, true
	case KindRouting:
		return Live{Params: live.Params, Municipal: &overlay{live: live.Municipal, routing: c.routing}}, false
	}
	return live, false
}

// overlay is the live municipal configuration with a candidate's in place.
type overlay struct {
	live    casecalc.Municipal
	code    string         // the municipality whose file set replaces
	set     *municipal.Set // the candidate municipal file
	routing *routing.Config
}

func (o *overlay) Guidelines(code string, mo skalig.Month) (*rules.Guidelines, error) {
	if o.set != nil && code == o.code {
		return o.set.Guidelines(code, mo)
	}
	return o.live.Guidelines(code, mo)
}

func (o *overlay) Routing(code string, mo skalig.Month) (*routing.Config, error) {
	if o.routing != nil {
		return o.routing, nil
	}
	if o.set != nil && code == o.code {
		return o.set.Routing(code, mo)
	}
	return o.live.Routing(code, mo)
}

func municipalCode(data []byte) (string, error) {
	var m struct {
		Code string `json:"code"`
	}
	if err := jsonUnmarshal(data, &m); err != nil {
		return "", fmt.Errorf("filen är inte en kommunfil: %v", err)
	}
	if m.Code == "" {
		return "", fmt.Errorf("kommunkod (code) saknas")
	}
	return m.Code, nil
}

// Municipality is the municipality of a municipal candidate's file, "" for
// the other kinds.
func (c *Candidate) Municipality() string { return c.code }

// memo remembers the answers of a municipal configuration for a run: the
// run sees one configuration from start to end (the live one can change
// in the administration pages meanwhile), and each (municipality, month)
// is looked up once rather than twice per decision.
type memo struct {
	live casecalc.Municipal
	mu   sync.Mutex
	g    map[memoKey]memoGuidelines
	r    map[memoKey]memoRouting
}

type memoKey struct {
	code string
	mo   skalig.Month
}

type memoGuidelines struct {
	g   *rules.Guidelines
	err error
}

type memoRouting struct {
	c   *routing.Config
	err error
}

func newMemo(live casecalc.Municipal) *memo {
	return &memo{live: live, g: map[memoKey]memoGuidelines{}, r: map[memoKey]memoRouting{}}
}

func (m *memo) Guidelines(code string, mo skalig.Month) (*rules.Guidelines, error) {
	k := memoKey{code, mo}
	m.mu.Lock()
	v, ok := m.g[k]
	m.mu.Unlock()
	if !ok {
		v.g, v.err = m.live.Guidelines(code, mo)
		m.mu.Lock()
		m.g[k] = v
		m.mu.Unlock()
	}
	return v.g, v.err
}

func (m *memo) Routing(code string, mo skalig.Month) (*routing.Config, error) {
	k := memoKey{code, mo}
	m.mu.Lock()
	v, ok := m.r[k]
	m.mu.Unlock()
	if !ok {
		v.c, v.err = m.live.Routing(code, mo)
		m.mu.Lock()
		m.r[k] = v
		m.mu.Unlock()
	}
	return v.c, v.err
}
