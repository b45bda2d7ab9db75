package params

import (
	"bufio"
	"bytes"
	"slices"
	"strings"
)

// A Year is one year's riksnorm and prisbasbelopp as an administrator loads
// them (skalig params import): one file with the riksnorm rows of the year
// in the shape of data/riksnorm.tsv (its header row first), then the
// prisbasbelopp of the year in the shape of data/dated.tsv (its header row
// starts the second table). Every value has its status and its source.
// Comment lines (#) and blank lines may stand anywhere.
//
// A Year is validated as the embedded tables are, by the same parser, over
// them: see ParseYear and Compose.
type Year struct {
	Year int
	Name string // the file's name, for messages
	Data []byte // the file as loaded
	// Version names the stored version ("v3"); the parameter set's name
	// carries it (Set.Name "riksnorm-2027-v3"), so a receipt says which
	// version decided it.
	Version string

	riksnorm []byte // the riksnorm table's lines
	dated    []byte // the dated table's lines, earlier lines blank: line numbers stay the file's
}

// ParseYear reads and validates a year's file named name: every row as in
// the embedded tables (Parse), one year only, prisbasbelopp only in the
// second table and only within the year, and the embedded tables with
// this year laid over them complete (Compose). Errors are *LoadError,
// in Swedish, naming the file, the line and the field.
func ParseYear(name string, data []byte) (*Year, error) {
	y, err := splitYear(name, data)
	if err != nil {
		return nil, err
	}
	if _, err := Compose([]*Year{y}); err != nil {
		return nil, err
	}
	return y, nil
}

// splitYear splits the file into its two tables and finds its year (the
// first riksnorm row's; parse checks the rest).
func splitYear(name string, data []byte) (*Year, error) {
	y := &Year{Name: name, Data: data}
	var riks, dated bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line, second, firstRow := 0, false, 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		f := strings.Split(text, "\t")
		if !second && slices.Equal(f, datedHeader) {
			second = true
		}
		if second {
			riks.WriteByte('\n')
			dated.WriteString(text + "\n")
			continue
		}
		riks.WriteString(text + "\n")
		dated.WriteByte('\n')
		if len(f) == len(riksnormHeader) && f[0] != "year" && !strings.HasPrefix(text, "#") && y.Year == 0 {
			firstRow = line
			if n, ok := atoiYear(f[0]); ok {
				y.Year = n
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &LoadError{File: name, Msg: err.Error()}
	}
	if !second {
		return nil, &LoadError{File: name, Msg: "tabellen med prisbasbelopp saknas: en rubrikrad " +
			strings.Join(datedHeader, "\t") + " och en rad prisbasbelopp för året ska följa riksnormens rader"}
	}
	if y.Year == 0 {
		if firstRow > 0 {
			return nil, &LoadError{File: name, Line: firstRow, Field: "year", Msg: "året saknas eller är inte ett årtal"}
		}
		return nil, &LoadError{File: name, Msg: "filen har inga rader med riksnorm"}
	}
	y.riksnorm, y.dated = riks.Bytes(), dated.Bytes()
	return y, nil
}

func atoiYear(s string) (int, bool) {
	n := 0
	if len(s) != 4 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n >= 1990
}

// Compose returns the embedded tables with years laid over them: a year's
// file replaces the embedded riksnorm rows of its year and the embedded
// prisbasbelopp in force in it (or adds the year); of two files of one
// year the later in years wins. The whole is validated as Parse does.
func Compose(years []*Year) (*Params, error) {
	rn, err := dataFS.ReadFile("data/riksnorm.tsv")
	if err != nil {
		return nil, err
	}
	dt, err := dataFS.ReadFile("data/dated.tsv")
	if err != nil {
		return nil, err
	}
	last := map[int]*Year{}
	var order []int
	for _, y := range years {
		if y.riksnorm == nil {
			sy, err := splitYear(y.Name, y.Data)
			if err != nil {
				return nil, err
			}
			sy.Version = y.Version
			y = sy
		}
		if last[y.Year] == nil {
			order = append(order, y.Year)
		}
		last[y.Year] = y
	}
	use := make([]*Year, 0, len(order))
	for _, n := range order {
		use = append(use, last[n])
	}
	return parse(table{name: "riksnorm.tsv", r: bytes.NewReader(rn)}, table{name: "dated.tsv", r: bytes.NewReader(dt)}, use)
}
