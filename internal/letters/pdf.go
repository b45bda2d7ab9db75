package letters

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The PDF writer: a small, dependency-free writer of tagged PDF (PDF 1.7,
// identified as PDF/A-2a and PDF/UA-1) for the letters' Document model. It lays out
// headings, paragraphs and tables on A4 pages in DejaVu Sans, embeds a
// subset of the font, and writes the structure tree (Document, H1, H2, P,
// Table, TR, TH, TD) with every piece of text marked with its MCID, so that
// a screen reader reads the letter in order and the calculation as a
// table. Page numbers and table rules are artifacts. The output depends
// only on the Document: no clock, no random ids (the file id is a hash of
// the content), so the same letter gives the same bytes.

//go:embed fonts/DejaVuSans.ttf
var regularTTF []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var boldTTF []byte

var (
	fontsOnce          sync.Once
	fontRegular, fontB *font
	fontsErr           error
)

func loadFonts() (*font, *font, error) {
	fontsOnce.Do(func() {
		if fontRegular, fontsErr = parseFont("DejaVuSans", regularTTF); fontsErr != nil {
			return
		}
		fontB, fontsErr = parseFont("DejaVuSans-Bold", boldTTF)
	})
	return fontRegular, fontB, fontsErr
}

// winAnsi maps the characters of Windows-1252 above 0x7f that differ from
// Latin-1 to their byte.
var winAnsi = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89,
	'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95,
	'–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// winAnsiRune maps r to a character WinAnsiEncoding has: the minus sign
// becomes a hyphen-minus, anything else missing a question mark.
func winAnsiRune(r rune) (rune, byte) {
	switch {
	case r >= 0x20 && r < 0x7f, r >= 0xa0 && r <= 0xff:
		return r, byte(r)
	case r == '−':
		return '-', '-'
	}
	if b, ok := winAnsi[r]; ok {
		return r, b
	}
	return '?', '?'
}

// byteRune is the inverse of winAnsiRune for the widths array.
func byteRune(b int) rune {
	if b < 0x80 || b >= 0xa0 {
		return rune(b)
	}
	for r, c := range winAnsi {
		if int(c) == b {
			return r
		}
	}
	return 0
}

const (
	pageW, pageH = 595.28, 841.89 // A4
	margin       = 56.0
	bottom       = 72.0 // text stops here; the footer is below
	bodySize     = 10.5
	tableSize    = 9.5
)

type mcr struct{ page, mcid int }

// selem is a structure element; kids are *selem or mcr.
type selem struct {
	typ    string
	attrs  string // e.g. "/A <</O /Table /Scope /Column>>"
	kids   []any
	parent *selem
	obj    int
}

func (e *selem) add(typ, attrs string) *selem {
	k := &selem{typ: typ, attrs: attrs, parent: e}
	e.kids = append(e.kids, k)
	return k
}

type pdfPage struct {
	content bytes.Buffer
	owners  []*selem // by MCID
}

type layout struct {
	reg, bold *font
	pages     []*pdfPage
	y         float64
	root      *selem
	used      [2]map[rune]bool
}

func (l *layout) page() *pdfPage { return l.pages[len(l.pages)-1] }

func (l *layout) newPage() {
	l.pages = append(l.pages, &pdfPage{})
	l.y = pageH - margin
}

// ensure starts a new page unless h points fit above the bottom margin.
func (l *layout) ensure(h float64) {
	if l.y-h < bottom {
		l.newPage()
	}
}

func (l *layout) font(bold bool) (*font, string, int) {
	if bold {
		return l.bold, "F2", 1
	}
	return l.reg, "F1", 0
}

func (l *layout) textWidth(s string, bold bool, size float64) float64 {
	f, _, _ := l.font(bold)
	w := 0.0
	for _, r := range s {
		r, _ = winAnsiRune(r)
		w += f.width(r)
	}
	return w * size / 1000
}

// wrap breaks s into lines no wider than width at ordinary spaces (a
// non-breaking space keeps "6 680 kr" on one line).
func (l *layout) wrap(s string, bold bool, size, width float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		var words []string
		for _, w := range strings.Split(para, " ") {
			// A word wider than the line (a long address) is broken where
			// it reaches the edge.
			for l.textWidth(w, bold, size) > width && len([]rune(w)) > 1 {
				rs := []rune(w)
				n := len(rs) - 1
				for n > 1 && l.textWidth(string(rs[:n]), bold, size) > width {
					n--
				}
				words = append(words, string(rs[:n]))
				w = string(rs[n:])
			}
			words = append(words, w)
		}
		cur := ""
		for _, w := range words {
			try := w
			if cur != "" {
				try = cur + " " + w
			}
			if cur != "" && l.textWidth(try, bold, size) > width {
				// The space stays at the end of the line, so that text
				// extraction and screen readers keep the words apart.
				lines = append(lines, cur+" ")
				cur = w
			} else {
				cur = try
			}
		}
		lines = append(lines, cur)
	}
	return lines
}

// show writes one line of text at (x, y) as marked content owned by e.
func (l *layout) show(e *selem, s string, x, y float64, bold bool, size float64) {
	p := l.page()
	mcid := len(p.owners)
	p.owners = append(p.owners, e)
	e.kids = append(e.kids, mcr{page: len(l.pages) - 1, mcid: mcid})
	_, name, fi := l.font(bold)
	var enc bytes.Buffer
	for _, r := range s {
		r2, b := winAnsiRune(r)
		l.used[fi][r2] = true
		switch b {
		case '(', ')', '\\':
			enc.WriteByte('\\')
			enc.WriteByte(b)
		default:
			if b < 0x20 || b > 0x7e {
				fmt.Fprintf(&enc, "\\%03o", b)
			} else {
				enc.WriteByte(b)
			}
		}
	}
	fmt.Fprintf(&p.content, "/%s <</MCID %d>> BDC BT /%s %s Tf %s %s Td (%s) Tj ET EMC\n",
		e.typ, mcid, name, num(size), num(x), num(y), enc.Bytes())
}

// artifact writes drawing operators that are not content (rules, page
// numbers).
func (l *layout) artifact(ops string) {
	fmt.Fprintf(&l.page().content, "/Artifact BMC\n%sEMC\n", ops)
}

func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-" {
		return "0"
	}
	return s
}

func (l *layout) block(b Block) {
	width := pageW - 2*margin
	switch b.Kind {
	case KindH1, KindH2:
		size, before := 18.0, 0.0
		if b.Kind == KindH2 {
			size, before = 13.0, 10.0
		}
		lines := l.wrap(b.Text, true, size, width)
		lh := size * 1.3
		// Keep the heading with two lines of what follows.
		if l.y != pageH-margin {
			l.y -= before
		}
		l.ensure(float64(len(lines))*lh + 2*bodySize*1.4)
		e := l.root.add(strings.ToUpper(b.Kind), "")
		for _, s := range lines {
			l.y -= lh
			l.show(e, s, margin, l.y+size*0.25, true, size)
		}
		l.y -= 4
	case KindP:
		lh := bodySize * 1.4
		e := l.root.add("P", "")
		for _, s := range l.wrap(b.Text, false, bodySize, width) {
			l.ensure(lh)
			l.y -= lh
			l.show(e, s, margin, l.y+bodySize*0.3, false, bodySize)
		}
		l.y -= 5
	case KindTable:
		l.table(b.Table, width)
	}
}

func (l *layout) table(t *Table, width float64) {
	cols := len(t.Head)
	lh, pad := tableSize*1.35, 4.0
	natural := make([]float64, cols)
	measure := func(row []string, bold bool) {
		for i, c := range row {
			if w := l.textWidth(c, bold, tableSize) + 2*pad; w > natural[i] {
				natural[i] = w
			}
		}
	}
	measure(t.Head, true)
	for _, r := range t.Rows {
		measure(r, false)
	}
	// Numeric columns are as wide as their widest cell; the other columns
	// after the first as wide as theirs up to a third of what is left; the
	// first column (the row's header, usually the longest text) takes the
	// rest.
	widths := make([]float64, cols)
	rest := width
	for i := range cols {
		if t.Numeric[i] {
			widths[i] = natural[i]
			rest -= natural[i]
		}
	}
	share := rest / 3
	for i := 1; i < cols; i++ {
		if !t.Numeric[i] {
			widths[i] = min(natural[i], share)
			rest -= widths[i]
		}
	}
	widths[0] = rest
	if rest < width/4 {
		// Too many wide columns for that (long headings over numbers):
		// every column gets its longest word, and what is left is shared
		// by how much more each needs for its text on one line.
		least := make([]float64, cols)
		measureWords := func(row []string, bold bool) {
			for i, c := range row {
				for _, w := range strings.Fields(c) {
					least[i] = max(least[i], l.textWidth(w, bold, tableSize)+2*pad)
				}
			}
		}
		measureWords(t.Head, true)
		for _, r := range t.Rows {
			measureWords(r, false)
		}
		sumLeast, sumMore := 0.0, 0.0
		for i := range cols {
			sumLeast += least[i]
			sumMore += max(natural[i]-least[i], 0)
		}
		spare := max(width-sumLeast, 0)
		for i := range cols {
			widths[i] = least[i]
			if sumMore > 0 {
				widths[i] += spare * max(natural[i]-least[i], 0) / sumMore
			}
		}
	}
	te := l.root.add("Table", "")
	if t.Caption != "" {
		ce := te.add("Caption", "")
		lines := l.wrap(t.Caption, true, tableSize, width)
		l.ensure(float64(len(lines)+2) * lh)
		for _, s := range lines {
			l.y -= lh
			l.show(ce, s, margin, l.y+tableSize*0.3, true, tableSize)
		}
		l.y -= 2
	}
	row := func(cells []string, head bool) {
		wrapped := make([][]string, cols)
		n := 1
		for i, c := range cells {
			wrapped[i] = l.wrap(c, head, tableSize, widths[i]-2*pad)
			n = max(n, len(wrapped[i]))
		}
		h := float64(n)*lh + 2*pad
		l.ensure(h)
		tr := te.add("TR", "")
		top := l.y
		x := margin
		for i := range cols {
			typ, attrs := "TD", ""
			bold := false
			switch {
			case head:
				typ, attrs, bold = "TH", "/A <</O /Table /Scope /Column>>", true
			case i == 0 && t.RowHeaders:
				typ, attrs = "TH", "/A <</O /Table /Scope /Row>>"
			}
			ce := tr.add(typ, attrs)
			y := top - pad
			for _, s := range wrapped[i] {
				y -= lh
				cx := x + pad
				if t.Numeric[i] {
					cx = x + widths[i] - pad - l.textWidth(s, bold, tableSize)
				}
				l.show(ce, s, cx, y+tableSize*0.3, bold, tableSize)
			}
			x += widths[i]
		}
		l.y = top - h
		lw := "0.5"
		if head {
			lw = "1"
		}
		l.artifact(fmt.Sprintf("%s w %s %s m %s %s l S\n", lw, num(margin), num(l.y), num(margin+width), num(l.y)))
	}
	row(t.Head, true)
	for _, r := range t.Rows {
		row(r, false)
	}
	l.y -= 8
}

// PDF renders the document as a tagged PDF.
func (d *Document) PDF() ([]byte, error) {
	reg, bold, err := loadFonts()
	if err != nil {
		return nil, err
	}
	l := &layout{reg: reg, bold: bold, root: &selem{typ: "Document"}}
	l.used = [2]map[rune]bool{{}, {}}
	l.newPage()
	for _, b := range d.Blocks {
		l.block(b)
	}
	for i := range l.pages {
		footer := fmt.Sprintf("%s – sida %d av %d", d.Footer, i+1, len(l.pages))
		l.pages[i].content.WriteString("/Artifact BMC\n")
		var enc bytes.Buffer
		for _, r := range footer {
			r2, b := winAnsiRune(r)
			l.used[0][r2] = true
			if b < 0x20 || b > 0x7e || b == '(' || b == ')' || b == '\\' {
				fmt.Fprintf(&enc, "\\%03o", b)
			} else {
				enc.WriteByte(b)
			}
		}
		fmt.Fprintf(&l.pages[i].content, "BT /F1 8 Tf %s 40 Td (%s) Tj ET\nEMC\n", num(margin), enc.Bytes())
	}
	return l.write(d)
}

// pdfWriter collects numbered objects.
type pdfWriter struct {
	objs [][]byte // objs[i] is object i+1
}

func (w *pdfWriter) reserve() int {
	w.objs = append(w.objs, nil)
	return len(w.objs)
}

func (w *pdfWriter) set(n int, format string, args ...any) {
	w.objs[n-1] = fmt.Appendf(nil, format, args...)
}

func (w *pdfWriter) stream(n int, dict string, data []byte, compress bool) {
	if compress {
		var b bytes.Buffer
		z, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
		z.Write(data)
		z.Close()
		data = b.Bytes()
		dict += " /Filter /FlateDecode"
	}
	w.objs[n-1] = fmt.Appendf(nil, "<<%s /Length %d>>\nstream\n%s\nendstream", dict, len(data), data)
}

// pdfText encodes s as a PDF text string (UTF-16BE with BOM).
func pdfText(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			fmt.Fprintf(&b, "%04X%04X", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteString(">")
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func (l *layout) write(d *Document) ([]byte, error) {
	w := &pdfWriter{}
	catalog, pages, structRoot, meta, info, icc := w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve()
	w.stream(icc, " /N 3", sRGBProfile(), true)
	toUnicode := w.reserve()
	w.stream(toUnicode, "", winAnsiToUnicode(), true)
	fontObj := [2]int{}
	for i, f := range []*font{l.reg, l.bold} {
		fo, fd, ff := w.reserve(), w.reserve(), w.reserve()
		fontObj[i] = fo
		sub := f.subset(l.used[i])
		tag := subsetTag(f.name, l.used[i])
		name := tag + "+" + f.name
		scale := func(v int) int { return v * 1000 / f.unitsPerEm }
		var widths strings.Builder
		for b := 32; b <= 255; b++ {
			r := byteRune(b)
			wd := 0
			if r != 0 {
				wd = int(f.width(r) + 0.5)
			}
			if b > 32 {
				widths.WriteByte(' ')
			}
			widths.WriteString(strconv.Itoa(wd))
		}
		w.set(fo, "<</Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar 32 /LastChar 255 /Widths [%s] /Encoding /WinAnsiEncoding /FontDescriptor %d 0 R /ToUnicode %d 0 R>>",
			name, widths.String(), fd, toUnicode)
		w.set(fd, "<</Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R>>",
			name, scale(f.bbox[0]), scale(f.bbox[1]), scale(f.bbox[2]), scale(f.bbox[3]), scale(f.ascent), scale(f.descent), scale(f.capHeight), ff)
		w.stream(ff, fmt.Sprintf(" /Length1 %d", len(sub)), sub, true)
	}
	pageObj := make([]int, len(l.pages))
	var kids strings.Builder
	for i, p := range l.pages {
		po, co := w.reserve(), w.reserve()
		pageObj[i] = po
		fmt.Fprintf(&kids, "%d 0 R ", po)
		w.set(po, "<</Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources <</Font <</F1 %d 0 R /F2 %d 0 R>>>> /Contents %d 0 R /StructParents %d /Tabs /S>>",
			pages, num(pageW), num(pageH), fontObj[0], fontObj[1], co, i)
		w.stream(co, "", p.content.Bytes(), true)
	}
	w.set(pages, "<</Type /Pages /Kids [%s] /Count %d>>", strings.TrimSpace(kids.String()), len(l.pages))
	// Structure elements, numbered in document order.
	var number func(e *selem)
	number = func(e *selem) {
		e.obj = w.reserve()
		for _, k := range e.kids {
			if c, ok := k.(*selem); ok {
				number(c)
			}
		}
	}
	number(l.root)
	var emit func(e *selem)
	emit = func(e *selem) {
		var k strings.Builder
		for _, kid := range e.kids {
			switch c := kid.(type) {
			case *selem:
				fmt.Fprintf(&k, "%d 0 R ", c.obj)
				emit(c)
			case mcr:
				fmt.Fprintf(&k, "<</Type /MCR /Pg %d 0 R /MCID %d>> ", pageObj[c.page], c.mcid)
			}
		}
		parent := structRoot
		if e.parent != nil {
			parent = e.parent.obj
		}
		extra := ""
		if e.parent == nil {
			extra = " /Lang " + pdfText(d.Lang)
		}
		w.set(e.obj, "<</Type /StructElem /S /%s /P %d 0 R /K [%s]%s%s>>", e.typ, parent, strings.TrimSpace(k.String()), prefixSpace(e.attrs), extra)
	}
	emit(l.root)
	var nums strings.Builder
	for i, p := range l.pages {
		fmt.Fprintf(&nums, "%d [", i)
		for _, e := range p.owners {
			fmt.Fprintf(&nums, "%d 0 R ", e.obj)
		}
		nums.WriteString("] ")
	}
	w.set(structRoot, "<</Type /StructTreeRoot /K [%d 0 R] /ParentTree <</Nums [%s]>> /ParentTreeNextKey %d>>",
		l.root.obj, strings.TrimSpace(nums.String()), len(l.pages))
	date := d.Created.UTC()
	pdfDate := date.Format("D:20060102150405Z")
	xmp := fmt.Sprintf(`<?xpacket begin="%s" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">%s</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>
<dc:language><rdf:Bag><rdf:li>%s</rdf:li></rdf:Bag></dc:language>
<dc:format>application/pdf</dc:format>
<xmp:CreateDate>%s</xmp:CreateDate>
<xmp:ModifyDate>%s</xmp:ModifyDate>
<xmp:CreatorTool>Skälig</xmp:CreatorTool>
<pdf:Producer>Skälig</pdf:Producer>
<pdfaid:part>2</pdfaid:part>
<pdfaid:conformance>A</pdfaid:conformance>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates which part of ISO 14289 the document conforms to</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>`, "\ufeff", xmlEscape(d.Title), xmlEscape(d.Author), xmlEscape(d.Lang),
		date.Format(time.RFC3339), date.Format(time.RFC3339))
	w.stream(meta, " /Type /Metadata /Subtype /XML", []byte(xmp), false)
	w.set(info, "<</Title %s /Author %s /Creator %s /Producer %s /CreationDate (%s) /ModDate (%s)>>",
		pdfText(d.Title), pdfText(d.Author), pdfText("Skälig"), pdfText("Skälig"), pdfDate, pdfDate)
	w.set(catalog, "<</Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R /MarkInfo <</Marked true>> /Lang %s /Metadata %d 0 R /ViewerPreferences <</DisplayDocTitle true>> /OutputIntents [<</Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (%s) /RegistryName (http://www.color.org) /Info (%s) /DestOutputProfile %d 0 R>>]>>",
		pages, structRoot, pdfText(d.Lang), meta, iccDescription, iccDescription, icc)

	var out bytes.Buffer
	out.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(w.objs))
	for i, o := range w.objs {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	sum := sha256.Sum256(out.Bytes())
	id := strings.ToUpper(hex.EncodeToString(sum[:16]))
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]>>\nstartxref\n%d\n%%%%EOF\n",
		len(w.objs)+1, catalog, info, id, id, xref)
	return out.Bytes(), nil
}

func prefixSpace(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

// subsetTag is the six capital letters that name a font subset, derived
// from the glyphs it holds (so the same letter gets the same tag).
func subsetTag(name string, used map[rune]bool) string {
	rs := make([]int, 0, len(used))
	for r := range used {
		rs = append(rs, int(r))
	}
	sort.Ints(rs)
	h := sha256.New()
	h.Write([]byte(name))
	for _, r := range rs {
		fmt.Fprintf(h, "%d,", r)
	}
	sum := h.Sum(nil)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	return string(tag)
}

// winAnsiToUnicode is the ToUnicode CMap of the fonts: each WinAnsi byte
// the writer uses to its Unicode character, so that text extraction and
// assistive technology get the text without guessing (PDF/A-2 level A).
func winAnsiToUnicode() []byte {
	var pairs []string
	for b := 32; b <= 255; b++ {
		if r := byteRune(b); r != 0 && r != 0x7f {
			pairs = append(pairs, fmt.Sprintf("<%02X> <%04X>", b, r))
		}
	}
	var out strings.Builder
	out.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n")
	for len(pairs) > 0 {
		n := min(len(pairs), 100)
		fmt.Fprintf(&out, "%d beginbfchar\n%s\nendbfchar\n", n, strings.Join(pairs[:n], "\n"))
		pairs = pairs[n:]
	}
	out.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return []byte(out.String())
}
