package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/rules"
)

func runCalc(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("calc", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "skriv resultatet i JSON (docs/calc-format.md)")
	muni := fs.String("municipality", "", "kommunkod vars riktlinjer ska användas")
	if err := fs.Parse(args); err != nil {
		return usageErr("calc: %v\nAnvändning: skalig calc [--json] [--municipality KOD] FIL|-", err)
	}
	if fs.NArg() != 1 {
		return usageErr("Användning: skalig calc [--json] [--municipality KOD] FIL|-  (- läser från standard in)")
	}
	var data []byte
	var err error
	if name := fs.Arg(0); name == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, calcformat.MaxBytes+1))
	} else {
		data, err = readLimited(name)
	}
	if err != nil {
		return usageErr("kan inte läsa %s: %s", fs.Arg(0), plainIOError(err))
	}
	p, err := params.Default()
	if err != nil {
		return err
	}
	var lookup func(skalig.Month) (*rules.Guidelines, error)
	var g *rules.Guidelines
	if *muni != "" {
		ms, err := municipal.Default()
		if err != nil {
			return err
		}
		lookup = func(m skalig.Month) (*rules.Guidelines, error) {
			g, err = ms.Guidelines(*muni, m)
			if err != nil {
				return nil, fieldErr("--municipality", err)
			}
			return g, nil
		}
	}
	out, err := calcformat.CalculateWith(data, p, lookup)
	if err != nil {
		return invalid(err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	writeTable(stdout, out, g)
	return nil
}

func readLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, calcformat.MaxBytes+1))
}

// plainIOError turns a file error into Swedish without Go's text.
func plainIOError(err error) string {
	switch {
	case os.IsNotExist(err):
		return "filen finns inte"
	case os.IsPermission(err):
		return "behörighet saknas"
	}
	return "filen kunde inte läsas"
}

func fieldErr(field string, err error) error {
	return &skalig.Error{Code: skalig.EINVALID, Message: skalig.ErrorMessage(err),
		Fields: []skalig.FieldError{{Field: field, Message: skalig.ErrorMessage(err)}}}
}

// invalid turns an EINVALID error into exit status 2 with one line per field.
func invalid(err error) error {
	var b strings.Builder
	if e, ok := err.(*skalig.Error); ok && len(e.Fields) > 0 {
		for i, f := range e.Fields {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(f.String())
		}
		return &exitError{Code: exitUsage, Msg: b.String()}
	}
	if skalig.ErrorCode(err) == skalig.EINTERNAL {
		return err
	}
	return &exitError{Code: exitUsage, Msg: skalig.ErrorMessage(err)}
}

func writeTable(w io.Writer, out *calcformat.Output, g *rules.Guidelines) {
	st, _ := params.ParseStatus(out.Parameters.Status)
	fmt.Fprintf(w, "Försörjningsstöd för %s\n", out.Month)
	fmt.Fprintf(w, "Parametrar: %s (%s). Beräkningsregler: %s.\n", out.Parameters.Set, st.Swedish(), rules.EngineVersion)
	if g != nil {
		fmt.Fprintf(w, "Kommunens riktlinjer: %s, %s.\n", g.Municipality, g.Version)
	} else {
		fmt.Fprintln(w, "Kommunens riktlinjer: ingen kommun vald (--municipality), inga tak för kostnader.")
	}
	fmt.Fprintln(w)
	for _, l := range out.Trace {
		amt := ""
		if l.Amount != 0 || isAmountLine(l.Item) {
			amt = l.Amount.Swedish()
		}
		fmt.Fprintf(w, "%14s  %s\n", amt, l.Text)
		var meta []string
		if l.Person != "" {
			meta = append(meta, "person: "+l.Person)
		}
		if src, ok := rules.ParseSource(l.Source); ok {
			meta = append(meta, "källa: "+src.Swedish())
		}
		if l.Parameter != "" {
			meta = append(meta, "parameter: "+l.Parameter)
		}
		meta = append(meta, "lagrum: "+l.Law)
		fmt.Fprintf(w, "%14s  [%s]\n", "", strings.Join(meta, " · "))
	}
	fmt.Fprintln(w)
	for _, row := range []struct {
		label string
		m     skalig.Money
	}{{"Riksnorm", out.Norm}, {"Skäliga kostnader", out.ReasonableCosts}, {"Övriga godkända behov", out.OtherCosts},
		{"Inkomster som räknas", out.IncomeCounted}, {"Försörjningsstöd", out.Aid}} {
		fmt.Fprintf(w, "%-26s %14s\n", row.label, row.m.Swedish())
	}
	if out.NormAdjustment != 0 {
		fmt.Fprintf(w, "%-26s %14s\n", "Justering av normen", out.NormAdjustment.Swedish())
	}
	if out.BeyondCalculation != 0 {
		fmt.Fprintf(w, "%-26s %14s\n", "Varav bistånd utöver", out.BeyondCalculation.Swedish())
	}
	if out.Surplus > 0 {
		fmt.Fprintf(w, "%-26s %14s\n", "Överskott", out.Surplus.Swedish())
	}
	if len(out.ReviewReasons) == 0 {
		fmt.Fprintln(w, "\nStatus: klar (complete). Beräkningen kan ligga till grund för ett beslut.")
		return
	}
	fmt.Fprintln(w, "\nStatus: ska prövas av en handläggare (needs_review):")
	for _, code := range out.ReviewReasons {
		r, _ := rules.ParseReason(code)
		fmt.Fprintf(w, "  - %s: %s\n", code, r.Swedish())
	}
}

func isAmountLine(item string) bool {
	switch item {
	case "norm", "need", "aid", "surplus", "income_counted", "reasonable_costs":
		return true
	}
	return false
}
