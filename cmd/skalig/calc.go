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
	in, err := calcformat.Parse(data, p)
	if err != nil {
		return invalid(err)
	}
	var g *rules.Guidelines
	if *muni != "" {
		ms, err := municipal.Default()
		if err != nil {
			return err
		}
		if g, err = ms.Guidelines(*muni, in.Month); err != nil {
			return invalid(fieldErr("--municipality", err))
		}
	}
	ps, err := p.At(in.Month)
	if err != nil {
		return invalid(err)
	}
	var tr rules.Trace
	res, err := rules.Calculate(in, ps, g, &tr)
	if err != nil {
		return invalid(err)
	}
	out := calcformat.NewOutput(res, &tr)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	writeTable(stdout, res, &tr, g)
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
		return &exitError{code: exitUsage, msg: b.String()}
	}
	if skalig.ErrorCode(err) == skalig.EINTERNAL {
		return err
	}
	return &exitError{code: exitUsage, msg: skalig.ErrorMessage(err)}
}

func writeTable(w io.Writer, res rules.Result, tr *rules.Trace, g *rules.Guidelines) {
	fmt.Fprintf(w, "Försörjningsstöd för %s\n", res.Month)
	fmt.Fprintf(w, "Parametrar: %s (%s). Beräkningsregler: %s.\n", res.ParamSet, res.ParamStatus.Swedish(), rules.EngineVersion)
	if g != nil {
		fmt.Fprintf(w, "Kommunens riktlinjer: %s, %s.\n", g.Municipality, g.Version)
	} else {
		fmt.Fprintln(w, "Kommunens riktlinjer: ingen kommun vald (--municipality), inga tak för kostnader.")
	}
	fmt.Fprintln(w)
	for _, l := range tr.Lines {
		amt := ""
		if l.Amount != 0 || isAmountLine(l.Item) {
			amt = l.Amount.Swedish()
		}
		fmt.Fprintf(w, "%14s  %s\n", amt, l.Text)
		var meta []string
		if l.Person != "" {
			meta = append(meta, "person: "+l.Person)
		}
		meta = append(meta, "källa: "+l.Source.Swedish())
		if l.Parameter != "" {
			meta = append(meta, "parameter: "+l.Parameter+" ("+l.ParamStatus.Swedish()+")")
		}
		meta = append(meta, "lagrum: "+l.Law)
		fmt.Fprintf(w, "%14s  [%s]\n", "", strings.Join(meta, " · "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-26s %14s\n", "Riksnorm", res.Norm.Swedish())
	fmt.Fprintf(w, "%-26s %14s\n", "Skäliga kostnader", res.ReasonableCosts.Swedish())
	fmt.Fprintf(w, "%-26s %14s\n", "Övriga godkända behov", res.OtherCosts.Swedish())
	fmt.Fprintf(w, "%-26s %14s\n", "Inkomster som räknas", res.IncomeCounted.Swedish())
	fmt.Fprintf(w, "%-26s %14s\n", "Försörjningsstöd", res.Aid.Swedish())
	if res.Surplus > 0 {
		fmt.Fprintf(w, "%-26s %14s\n", "Överskott", res.Surplus.Swedish())
	}
	if res.Status == rules.Complete {
		fmt.Fprintln(w, "\nStatus: klar (complete). Beräkningen kan ligga till grund för ett beslut.")
		return
	}
	fmt.Fprintln(w, "\nStatus: ska prövas av en handläggare (needs_review):")
	for _, r := range res.Reasons.List() {
		fmt.Fprintf(w, "  - %s: %s\n", r.Code(), r.Swedish())
	}
}

func isAmountLine(item string) bool {
	switch item {
	case "norm", "need", "aid", "surplus", "income_counted", "reasonable_costs":
		return true
	}
	return false
}
