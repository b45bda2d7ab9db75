package letters

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"time"
)

// Document is a letter as a sequence of blocks, rendered the same way to
// HTML (HTML) and to a tagged PDF (PDF): the content lives here once.
type Document struct {
	Title  string // the document title: "Beslut om försörjningsstöd, ärende …"
	Lang   string // "sv-SE"
	Author string // the municipality
	// Created is the decision time: the PDF's dates are this, never the
	// clock, so that the same receipt gives the same bytes.
	Created time.Time
	// Footer is printed on every PDF page with the page number.
	Footer string
	Blocks []Block
}

// Block kinds.
const (
	KindH1    = "h1"
	KindH2    = "h2"
	KindP     = "p"
	KindTable = "table"
)

// Block is a heading, a paragraph or a table.
type Block struct {
	Kind  string
	Text  string
	Table *Table
}

// Table is a data table: a header row (th scope=col) and rows whose first
// cell heads the row (th scope=row) when RowHeaders.
type Table struct {
	Caption    string
	Head       []string
	Rows       [][]string
	Numeric    []bool // per column: amounts, right-aligned
	RowHeaders bool
}

//go:embed letter.html.tmpl
var templateFS embed.FS

//go:embed letter.css
var css string

var htmlTemplate = template.Must(template.New("letter.html.tmpl").
	Funcs(template.FuncMap{"css": func() template.CSS { return template.CSS(css) }}).
	ParseFS(templateFS, "letter.html.tmpl"))

// StyleSource is the Content-Security-Policy source that allows the HTML
// letter's one inline style sheet (its SHA-256), so that a server can send
// the letter with a policy that allows nothing else.
func StyleSource() string {
	sum := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// HTML renders the document as a standalone accessible HTML page.
func (d *Document) HTML() ([]byte, error) {
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
