// Package archive exports what gallring keeps for research (the research
// sample, SoF (2025:468) 13 kap. 1 §) to the municipality's e-archive as a
// self-describing package, and reads a package back to check it.
//
// The package follows the structure of E-ARK's Common Specification for
// Information Packages (CSIP), which Riksarkivet's FGS Paketstruktur is
// built on: a METS document (METS.xml) at the root lists every file with
// its size and SHA-256, the descriptive metadata (metadata/descriptive)
// and the content (representations/rep1/data: per case its data as JSON,
// the decision letter as PDF and the uploaded documents). docs/archive.md
// says what is and is not followed.
package archive

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"skalig"
	"skalig/internal/gallring"
	"skalig/internal/registerutdrag"
	"skalig/internal/store"
	"skalig/internal/store/gallringdb"
	"skalig/internal/store/recordsdb"
	"skalig/internal/workflow"
)

// Namespaces and profiles the METS document names.
const (
	nsMETS   = "http://www.loc.gov/METS/"
	nsXLink  = "http://www.w3.org/1999/xlink"
	nsXSI    = "http://www.w3.org/2001/XMLSchema-instance"
	nsCSIP   = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
	nsSkalig = "urn:skalig:arkiv:1"
	// ProfileCSIP is the METS profile the package claims.
	ProfileCSIP = "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"
	// ContentType names the content of the package (csip:OTHERCONTENTINFORMATIONTYPE).
	ContentType = "Skälig personakt, ekonomiskt bistånd (skalig-arkiv/1)"
	// METSName is the root METS document's name (CSIP: METS.xml).
	METSName   = "METS.xml"
	descName   = "metadata/descriptive/arenden.xml"
	dataPrefix = "representations/rep1/data/"
)

// Options say what to export and where.
type Options struct {
	// Rules are the municipality's gallring rules: they say who is in the
	// research sample.
	Rules gallring.Rules
	// On is the day judged: a sample person's cases are exported once five
	// years have passed since the last entry (when gallring would have
	// removed them).
	On skalig.Date
	// Dir is the directory the package is written into, as a new
	// directory named by the package's id.
	Dir string
	// By names who exports, for the audit trail ("cli:anna").
	By string
	// Again exports also the cases exported before without a new entry.
	Again bool
}

// Result is what an export made.
type Result struct {
	ID      string
	Path    string // the package's directory
	Cases   int
	Persons int
	Files   int // the files METS.xml lists (itself not counted)
	// METSSHA256 is the SHA-256 of METS.xml: send it to the archive with
	// the package, and it is in the audit trail.
	METSSHA256 string
}

// Error is a refusal or a failed check, in Swedish.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Export writes the package of the research sample's cases due on opt.On
// (not exported before, unless opt.Again) from db and src, and records it
// (recordsdb.Store.RecordArchive).
// The package is written under a temporary name and renamed when complete:
// a crash leaves no package that looks whole. With nothing to export it
// writes nothing and says so (Result.Cases 0).
func Export(ctx context.Context, db *store.DB, src registerutdrag.Source, opt Options) (*Result, error) {
	if err := opt.Rules.Validate(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(opt.By) == "" {
		return nil, &Error{"Ange vem som arkiverar (--by)."}
	}
	if st, err := os.Stat(opt.Dir); err != nil || !st.IsDir() {
		return nil, &Error{fmt.Sprintf("Katalogen %s finns inte: ange en befintlig katalog att skriva arkivpaketet i (--out).", opt.Dir)}
	}
	cs := src.Workflow.Cases()
	persons, err := gallringdb.New(db).GallringPersons(ctx, opt.Rules.Municipality)
	if err != nil {
		return nil, err
	}
	last := map[string]time.Time{}
	why := map[string][]string{}
	var ids []string
	for _, p := range persons {
		reason, due := gallring.ArchiveDue(opt.Rules, p, opt.On)
		if !due {
			continue
		}
		for _, c := range p.Cases {
			last[c.ID] = c.LastEntry
			if _, ok := why[c.ID]; !ok {
				ids = append(ids, c.ID)
			}
			why[c.ID] = append(why[c.ID], reason)
		}
	}
	sort.Strings(ids)
	if !opt.Again {
		at, err := recordsdb.New(db).ArchivedAt(ctx, ids)
		if err != nil {
			return nil, err
		}
		ids = slices.DeleteFunc(ids, func(id string) bool { t, ok := at[id]; return ok && !last[id].After(t) })
	}
	now := db.Clock().UTC()
	res := &Result{ID: packageID(opt.Rules.Municipality, now)}
	if len(ids) == 0 {
		return res, nil
	}
	res.Path = filepath.Join(opt.Dir, res.ID)
	tmp := res.Path + ".partial"
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, &Error{fmt.Sprintf("Kan inte skapa arkivpaketet: %v", err)}
	}
	defer os.RemoveAll(tmp) // gone after the rename; left over only on failure
	w := &writer{root: tmp}
	reader := workflow.Reader{Actor: opt.By, Via: "cli"}
	desc := descDoc{Xmlns: nsSkalig, Package: res.ID, Municipality: opt.Rules.Municipality, Exported: now.Format(time.RFC3339),
		On: opt.On.String(), RuleVersion: gallring.RuleVersion, Rules: string(opt.Rules.JSON())}
	pns := map[string]bool{}
	for _, id := range ids {
		c, err := cs.Case(ctx, id)
		if err != nil {
			return nil, err
		}
		x, err := registerutdrag.ArchiveCase(ctx, src, c, reader)
		if err != nil {
			return nil, fmt.Errorf("archive: case %s: %w", id, err)
		}
		dir := dataPrefix + id + "/"
		dc := descCase{ID: id, Municipality: x.Municipality, Kind: x.Kind, Month: x.Month, State: x.State,
			Created: x.Created.UTC().Format(time.RFC3339), LastEntry: last[id].UTC().Format(time.RFC3339), Kept: why[id]}
		for _, m := range x.Members {
			dc.Persons = append(dc.Persons, descPerson{Role: m.Role, PersonalNumber: m.PersonalNumber})
			pns[m.PersonalNumber] = true
		}
		if d := x.Decision; d != nil {
			dc.Decision = &descDecision{ID: d.ID, Outcome: d.Outcome, Amount: d.Amount, Month: d.Month, Decided: d.DecidedAt.UTC().Format(time.RFC3339)}
			if len(d.LetterPDF) > 0 {
				if err := w.add(dir+"beslutsbrev.pdf", "application/pdf", id, d.LetterPDF); err != nil {
					return nil, err
				}
				dc.Files = append(dc.Files, dir+"beslutsbrev.pdf")
				d.LetterPDF = nil
			}
		}
		for i := range x.Documents {
			doc := &x.Documents[i]
			name := fmt.Sprintf("%sdokument/%02d-%s", dir, i+1, safeName(doc.Name))
			if err := w.add(name, doc.MediaType, id, doc.Content); err != nil {
				return nil, err
			}
			dc.Files = append(dc.Files, name)
			doc.Content = nil
		}
		b, err := json.MarshalIndent(x, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := w.add(dir+"arende.json", "application/json", id, b); err != nil {
			return nil, err
		}
		dc.Files = append([]string{dir + "arende.json"}, dc.Files...)
		desc.Cases = append(desc.Cases, dc)
	}
	b, err := xml.MarshalIndent(desc, "", "  ")
	if err != nil {
		return nil, err
	}
	descFile, err := w.write(descName, append([]byte(xml.Header), b...))
	if err != nil {
		return nil, err
	}
	mets, err := w.mets(res.ID, opt.Rules.Municipality, now, descFile)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, METSName), mets, 0o600); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(mets)
	res.METSSHA256 = hex.EncodeToString(sum[:])
	res.Cases, res.Persons, res.Files = len(ids), len(pns), len(w.files)+1
	if err := os.Rename(tmp, res.Path); err != nil {
		return nil, &Error{fmt.Sprintf("Kan inte skapa arkivpaketet: %v", err)}
	}
	if err := recordsdb.New(db).RecordArchive(ctx, res.ID, opt.Rules.Municipality, ids, res.METSSHA256, opt.By); err != nil {
		return nil, fmt.Errorf("archive: the package %s is written but not recorded: %w", res.Path, err)
	}
	return res, nil
}

func packageID(municipality string, now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("skalig-arkiv-%s-%s-%s", municipality, now.Format("20060102T150405Z"), hex.EncodeToString(b[:]))
}

// safeName keeps a file name to letters, digits, '.', '-' and '_'.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
	for strings.Contains(s, "..") {
		s = strings.ReplaceAll(s, "..", ".")
	}
	s = strings.Trim(s, "._")
	if s == "" {
		s = "dokument"
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[len(r)-80:])
	}
	return s
}

// file is one file of the package as the METS document lists it.
type file struct {
	Path, MIME, Case, SHA256 string
	Size                     int64
}

type writer struct {
	root  string
	files []file
}

// write writes body as the package's file name (a slash path) and
// returns its entry.
func (w *writer) write(name string, body []byte) (file, error) {
	full := filepath.Join(w.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		return file{}, err
	}
	if err := os.WriteFile(full, body, 0o600); err != nil {
		return file{}, err
	}
	sum := sha256.Sum256(body)
	return file{Path: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(body))}, nil
}

// add writes a content file of case id.
func (w *writer) add(name, mime, id string, body []byte) error {
	f, err := w.write(name, body)
	if err != nil {
		return err
	}
	if mime == "" {
		mime = "application/octet-stream"
	}
	f.MIME, f.Case = mime, id
	w.files = append(w.files, f)
	return nil
}

// mets returns the METS document of the package.
func (w *writer) mets(id, municipality string, now time.Time, desc file) ([]byte, error) {
	created := now.Format(time.RFC3339)
	m := metsOut{
		Xmlns: nsMETS, XLink: nsXLink, XSI: nsXSI, CSIP: nsCSIP,
		SchemaLocation: nsMETS + " http://www.loc.gov/standards/mets/mets.xsd " + nsXLink + " http://www.loc.gov/standards/xlink/xlink.xsd",
		OBJID:          id, Label: "Skälig: personakter i forskningsurvalet, kommun " + municipality, Type: "OTHER", Profile: ProfileCSIP,
		OtherType: "Personakter, ekonomiskt bistånd", ContentType: "OTHER", OtherContentType: ContentType,
		Hdr: metsHdrOut{Created: created, Status: "NEW", PackageType: "SIP", Agents: []agentOut{
			{Role: "CREATOR", Type: "OTHER", OtherType: "SOFTWARE", Name: "Skälig", Note: "skalig archive export (docs/archive.md)"},
			{Role: "ARCHIVIST", Type: "ORGANIZATION", Name: "Kommun " + municipality},
		}},
		Dmd: []dmdOut{{ID: "dmd-arenden", Created: created, Ref: mdRefOut{LocType: "URL", XType: "simple", Href: desc.Path,
			MDType: "OTHER", OtherMDType: "skalig-arkiv/1", MIME: "text/xml", Size: desc.Size, Created: created,
			Checksum: desc.SHA256, ChecksumType: "SHA-256"}}},
	}
	grp := fileGrpOut{ID: "grp-rep1", Use: "Representations/rep1/Data"}
	byCase := map[string][]string{}
	var order []string
	for i, f := range w.files {
		fid := fmt.Sprintf("file-%04d", i+1)
		grp.Files = append(grp.Files, fileOut{ID: fid, MIME: f.MIME, Size: f.Size, Created: created, Checksum: f.SHA256,
			ChecksumType: "SHA-256", Loc: fLocatOut{LocType: "URL", XType: "simple", Href: f.Path}})
		if _, ok := byCase[f.Case]; !ok {
			order = append(order, f.Case)
		}
		byCase[f.Case] = append(byCase[f.Case], fid)
	}
	m.FileSec.Groups = []fileGrpOut{grp}
	data := divOut{Label: "Representations/rep1/data"}
	for _, c := range order {
		d := divOut{Label: "Ärende " + c}
		for _, fid := range byCase[c] {
			d.Fptrs = append(d.Fptrs, fptrOut{FileID: fid})
		}
		data.Divs = append(data.Divs, d)
	}
	m.StructMap = structMapOut{Type: "PHYSICAL", Label: "CSIP", Div: divOut{Label: id, Divs: []divOut{
		{Label: "Metadata", DmdID: "dmd-arenden"},
		data,
	}}}
	b, err := xml.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

// The METS document as written. encoding/xml writes prefixed attribute
// names as given; the root declares the prefixes.
type metsOut struct {
	XMLName          xml.Name     `xml:"mets"`
	Xmlns            string       `xml:"xmlns,attr"`
	XLink            string       `xml:"xmlns:xlink,attr"`
	XSI              string       `xml:"xmlns:xsi,attr"`
	CSIP             string       `xml:"xmlns:csip,attr"`
	SchemaLocation   string       `xml:"xsi:schemaLocation,attr"`
	OBJID            string       `xml:"OBJID,attr"`
	Label            string       `xml:"LABEL,attr"`
	Type             string       `xml:"TYPE,attr"`
	Profile          string       `xml:"PROFILE,attr"`
	OtherType        string       `xml:"csip:OTHERTYPE,attr"`
	ContentType      string       `xml:"csip:CONTENTINFORMATIONTYPE,attr"`
	OtherContentType string       `xml:"csip:OTHERCONTENTINFORMATIONTYPE,attr"`
	Hdr              metsHdrOut   `xml:"metsHdr"`
	Dmd              []dmdOut     `xml:"dmdSec"`
	FileSec          fileSecOut   `xml:"fileSec"`
	StructMap        structMapOut `xml:"structMap"`
}

type metsHdrOut struct {
	Created     string     `xml:"CREATEDATE,attr"`
	Status      string     `xml:"RECORDSTATUS,attr"`
	PackageType string     `xml:"csip:OAISPACKAGETYPE,attr"`
	Agents      []agentOut `xml:"agent"`
}

type agentOut struct {
	Role      string `xml:"ROLE,attr"`
	Type      string `xml:"TYPE,attr"`
	OtherType string `xml:"OTHERTYPE,attr,omitempty"`
	Name      string `xml:"name"`
	Note      string `xml:"note,omitempty"`
}

type dmdOut struct {
	ID      string   `xml:"ID,attr"`
	Created string   `xml:"CREATED,attr"`
	Ref     mdRefOut `xml:"mdRef"`
}

type mdRefOut struct {
	LocType      string `xml:"LOCTYPE,attr"`
	XType        string `xml:"xlink:type,attr"`
	Href         string `xml:"xlink:href,attr"`
	MDType       string `xml:"MDTYPE,attr"`
	OtherMDType  string `xml:"OTHERMDTYPE,attr"`
	MIME         string `xml:"MIMETYPE,attr"`
	Size         int64  `xml:"SIZE,attr"`
	Created      string `xml:"CREATED,attr"`
	Checksum     string `xml:"CHECKSUM,attr"`
	ChecksumType string `xml:"CHECKSUMTYPE,attr"`
}

type fileSecOut struct {
	Groups []fileGrpOut `xml:"fileGrp"`
}

type fileGrpOut struct {
	ID    string    `xml:"ID,attr"`
	Use   string    `xml:"USE,attr"`
	Files []fileOut `xml:"file"`
}

type fileOut struct {
	ID           string    `xml:"ID,attr"`
	MIME         string    `xml:"MIMETYPE,attr"`
	Size         int64     `xml:"SIZE,attr"`
	Created      string    `xml:"CREATED,attr"`
	Checksum     string    `xml:"CHECKSUM,attr"`
	ChecksumType string    `xml:"CHECKSUMTYPE,attr"`
	Loc          fLocatOut `xml:"FLocat"`
}

type fLocatOut struct {
	LocType string `xml:"LOCTYPE,attr"`
	XType   string `xml:"xlink:type,attr"`
	Href    string `xml:"xlink:href,attr"`
}

type structMapOut struct {
	Type  string `xml:"TYPE,attr"`
	Label string `xml:"LABEL,attr"`
	Div   divOut `xml:"div"`
}

type divOut struct {
	Label string    `xml:"LABEL,attr"`
	DmdID string    `xml:"DMDID,attr,omitempty"`
	Fptrs []fptrOut `xml:"fptr"`
	Divs  []divOut  `xml:"div"`
}

type fptrOut struct {
	FileID string `xml:"FILEID,attr"`
}

// The descriptive metadata: one element per case, in Skälig's own
// namespace (docs/archive.md).
type descDoc struct {
	XMLName      xml.Name   `xml:"arkivpaket"`
	Xmlns        string     `xml:"xmlns,attr"`
	Package      string     `xml:"id,attr"`
	Municipality string     `xml:"kommun,attr"`
	Exported     string     `xml:"exporterat,attr"`
	On           string     `xml:"bedomt,attr"`
	RuleVersion  string     `xml:"gallringsregler"`
	Rules        string     `xml:"regler"`
	Cases        []descCase `xml:"arende"`
}

type descCase struct {
	ID           string        `xml:"id,attr"`
	Municipality string        `xml:"kommun,attr"`
	Kind         string        `xml:"slag,attr"`
	Month        string        `xml:"manad,attr"`
	State        string        `xml:"status,attr"`
	Created      string        `xml:"inkom,attr"`
	LastEntry    string        `xml:"senaste-anteckning,attr"`
	Kept         []string      `xml:"bevaras"`
	Persons      []descPerson  `xml:"person"`
	Decision     *descDecision `xml:"beslut"`
	Files        []string      `xml:"fil"`
}

type descPerson struct {
	Role           string `xml:"roll,attr"`
	PersonalNumber string `xml:"personnummer,attr"`
}

type descDecision struct {
	ID      string `xml:"id,attr"`
	Outcome string `xml:"utfall,attr"`
	Amount  string `xml:"belopp,attr"`
	Month   string `xml:"manad,attr"`
	Decided string `xml:"beslutat,attr"`
}

// Package is a package read back (Verify).
type Package struct {
	ID           string
	Municipality string
	// Cases are the cases in the descriptive metadata, with their files.
	Cases []PackageCase
	// Files is every file the METS document lists, content and metadata
	// (METS.xml itself not counted).
	Files int
}

// PackageCase is one case of a package.
type PackageCase struct {
	ID              string
	PersonalNumbers []string
	Decision        string // the decision's id, or ""
	Files           []string
}

// The METS document as read: namespace-aware.
type metsIn struct {
	XMLName xml.Name `xml:"http://www.loc.gov/METS/ mets"`
	OBJID   string   `xml:"OBJID,attr"`
	Profile string   `xml:"PROFILE,attr"`
	Dmd     []struct {
		Ref struct {
			Href         string `xml:"http://www.w3.org/1999/xlink href,attr"`
			Size         int64  `xml:"SIZE,attr"`
			Checksum     string `xml:"CHECKSUM,attr"`
			ChecksumType string `xml:"CHECKSUMTYPE,attr"`
		} `xml:"http://www.loc.gov/METS/ mdRef"`
	} `xml:"http://www.loc.gov/METS/ dmdSec"`
	Groups []struct {
		Files []struct {
			ID           string `xml:"ID,attr"`
			Size         int64  `xml:"SIZE,attr"`
			Checksum     string `xml:"CHECKSUM,attr"`
			ChecksumType string `xml:"CHECKSUMTYPE,attr"`
			Loc          struct {
				Href string `xml:"http://www.w3.org/1999/xlink href,attr"`
			} `xml:"http://www.loc.gov/METS/ FLocat"`
		} `xml:"http://www.loc.gov/METS/ file"`
	} `xml:"http://www.loc.gov/METS/ fileSec>fileGrp"`
}

// Verify reads the package in dir back: its METS document, every file it
// lists (present, of the stated size and SHA-256, inside the package), no
// file it does not list, and the descriptive metadata's cases. The error
// is an *Error in Swedish naming the first fault.
func Verify(dir string) (*Package, error) {
	fail := func(format string, args ...any) (*Package, error) {
		return nil, &Error{fmt.Sprintf("Arkivpaketet %s stämmer inte: ", filepath.Base(dir)) + fmt.Sprintf(format, args...)}
	}
	b, err := os.ReadFile(filepath.Join(dir, METSName))
	if err != nil {
		return fail("%s saknas eller kan inte läsas (%v).", METSName, err)
	}
	var m metsIn
	if err := xml.Unmarshal(b, &m); err != nil {
		return fail("%s är inte ett METS-dokument (%v).", METSName, err)
	}
	if m.OBJID == "" || m.Profile != ProfileCSIP {
		return fail("%s saknar OBJID eller profilen %s.", METSName, ProfileCSIP)
	}
	type entry struct {
		href, sum, typ string
		size           int64
	}
	var entries []entry
	for _, d := range m.Dmd {
		entries = append(entries, entry{d.Ref.Href, d.Ref.Checksum, d.Ref.ChecksumType, d.Ref.Size})
	}
	for _, g := range m.Groups {
		for _, f := range g.Files {
			entries = append(entries, entry{f.Loc.Href, f.Checksum, f.ChecksumType, f.Size})
		}
	}
	listed := map[string]bool{METSName: true}
	for _, e := range entries {
		clean := path.Clean(e.href)
		if e.href == "" || path.IsAbs(e.href) || clean != e.href || strings.HasPrefix(clean, "../") || clean == ".." {
			return fail("filen %q ligger utanför paketet.", e.href)
		}
		if e.typ != "SHA-256" {
			return fail("filen %s har kontrollsumman %q; SHA-256 väntades.", e.href, e.typ)
		}
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(e.href)))
		if err != nil {
			return fail("filen %s saknas.", e.href)
		}
		h := sha256.New()
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return fail("filen %s kan inte läsas (%v).", e.href, err)
		}
		if n != e.size {
			return fail("filen %s är %d byte, inte %d som METS.xml säger.", e.href, n, e.size)
		}
		if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, e.sum) {
			return fail("filen %s har fel kontrollsumma (SHA-256 %s, METS.xml säger %s): den har ändrats.", e.href, got, e.sum)
		}
		listed[e.href] = true
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if !listed[filepath.ToSlash(rel)] {
			return &Error{fmt.Sprintf("Arkivpaketet %s stämmer inte: filen %s finns i paketet men inte i METS.xml.", filepath.Base(dir), filepath.ToSlash(rel))}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	db, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(descName)))
	if err != nil {
		return fail("%s saknas.", descName)
	}
	var desc descDoc
	if err := xml.Unmarshal(db, &desc); err != nil {
		return fail("%s kan inte läsas (%v).", descName, err)
	}
	if desc.Package != m.OBJID {
		return fail("%s hör till paketet %s, inte %s.", descName, desc.Package, m.OBJID)
	}
	p := &Package{ID: m.OBJID, Municipality: desc.Municipality, Files: len(entries)}
	for _, c := range desc.Cases {
		pc := PackageCase{ID: c.ID, Files: c.Files}
		for _, per := range c.Persons {
			pc.PersonalNumbers = append(pc.PersonalNumbers, per.PersonalNumber)
		}
		if c.Decision != nil {
			pc.Decision = c.Decision.ID
		}
		for _, f := range c.Files {
			if !listed[f] {
				return fail("ärende %s nämner filen %s som METS.xml inte listar.", c.ID, f)
			}
		}
		p.Cases = append(p.Cases, pc)
	}
	return p, nil
}
