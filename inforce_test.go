package skalig_test

import (
	"testing"

	"skalig"
)

func TestInForceCheck(t *testing.T) {
	now := skalig.MonthOf(2026, 12)
	ok := func() *skalig.InForce {
		return &skalig.InForce{Kind: "routing", Municipality: "0821", Version: "gräns 8000", From: now + 1,
			ProposedBy: "dev-wilma-adminsson", By: "dev-viktor-chefsson", Digest: "abc",
			Run: &skalig.InForceRun{ID: "R1", Actor: "staff:dev-wilma-adminsson", Status: "done", Municipality: "0821", Digest: "abc", Cases: 9, Changed: 2}}
	}
	if err := ok().Check(now); err != nil {
		t.Fatalf("OK: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(p *skalig.InForce)
		code  string
		field string
	}{
		{"ErrNoOne", func(p *skalig.InForce) { p.By = "" }, skalig.EINVALID, "by"},
		{"ErrThisMonth", func(p *skalig.InForce) { p.From = now }, skalig.EINVALID, "from"},
		{"ErrPastMonth", func(p *skalig.InForce) { p.From = now - 3 }, skalig.EINVALID, "from"},
		{"ErrNoRun", func(p *skalig.InForce) { p.Run = nil }, skalig.EINVALID, "run"},
		{"ErrRunNotDone", func(p *skalig.InForce) { p.Run.Status = "running" }, skalig.EINVALID, "run"},
		{"ErrRunOfAnotherChange", func(p *skalig.InForce) { p.Run.Digest = "def" }, skalig.EINVALID, "run"},
		{"ErrRunOfAnotherMunicipality", func(p *skalig.InForce) { p.Run.Municipality = "0880" }, skalig.EINVALID, "run"},
		{"ErrProposerPutsInForce", func(p *skalig.InForce) { p.By = p.ProposedBy }, skalig.EFORBIDDEN, ""},
		{"ErrRunnerPutsInForce", func(p *skalig.InForce) { p.Run.Actor = "staff:" + p.By }, skalig.EFORBIDDEN, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ok()
			tc.edit(p)
			err := p.Check(now)
			if skalig.ErrorCode(err) != tc.code {
				t.Fatalf("Check = %v, want %s", err, tc.code)
			}
			if tc.field != "" {
				e := err.(*skalig.Error)
				if len(e.Fields) != 1 || e.Fields[0].Field != tc.field || e.Fields[0].Message == "" {
					t.Fatalf("Fields = %+v, want a message for %s", e.Fields, tc.field)
				}
			}
		})
	}
}
