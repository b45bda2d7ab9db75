package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"skalig/internal/params"
	"skalig/internal/rulestest"
)

func runParams(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "show" {
		return usageErr("Användning: skalig params show [--year ÅÅÅÅ]")
	}
	fs := flag.NewFlagSet("params show", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	year := fs.Int("year", 0, "visa bara värden som gäller något år")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
		return usageErr("Användning: skalig params show [--year ÅÅÅÅ]")
	}
	p, err := params.Default()
	if err != nil {
		return err
	}
	vals := p.Values(*year)
	if len(vals) == 0 {
		return usageErr("--year: det finns inga parametrar för %d (riksnorm finns för %v)", *year, p.Years())
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARAMETER\tPERIOD\tVÄRDE\tSTATUS\tKÄLLA")
	provisional := 0
	for _, v := range vals {
		st := v.Status.String()
		if v.Status == params.Provisional {
			st = "!! PROVISIONAL (preliminärt, inte för automatiska beslut)"
			provisional++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.ID, v.PeriodText(), v.ValueText(), st, v.Source)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if provisional > 0 {
		fmt.Fprintf(stdout, "\n%d preliminära värden: ärenden som använder dem går alltid till en handläggare.\n", provisional)
	}
	fmt.Fprintf(stdout, "\nRiksnorm finns för: %s\n", yearsList(p.Years()))
	return nil
}

func yearsList(ys []int) string {
	s := ""
	for i, y := range ys {
		if i > 0 {
			s += ", "
		}
		s += strconv.Itoa(y)
	}
	return s
}

func runRules(args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "test" {
		return usageErr("Användning: skalig rules test KATALOG")
	}
	p, err := params.Default()
	if err != nil {
		return err
	}
	cases, err := rulestest.Load(args[1])
	if err != nil {
		return usageErr("%v", err)
	}
	passed, failed := 0, 0
	for _, c := range cases {
		fails := rulestest.Run(c, p)
		if len(fails) == 0 {
			passed++
			continue
		}
		failed++
		fmt.Fprintf(stdout, "FAIL %s: %s\n", c.Name, c.Description)
		for _, f := range fails {
			fmt.Fprintf(stdout, "     %s\n", f)
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return &exitError{code: exitFailure}
	}
	return nil
}
