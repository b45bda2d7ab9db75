package registry

import (
	"context"

	"skalig"
)

// Ports gives the per-source-group ports of the root package (the
// interfaces skalig.BenefitRegister … skalig.VehicleRegister) over one
// Registers: each asks that source alone. The combined service's client
// and the simulator get them this way; a connector that reaches one
// authority directly implements its port itself.
type Ports struct {
	Registers skalig.Registers
}

var (
	_ skalig.BenefitRegister          = Ports{}
	_ skalig.StudentAidRegister       = Ports{}
	_ skalig.JobSeekerRegister        = Ports{}
	_ skalig.TaxRegister              = Ports{}
	_ skalig.UnemploymentFundRegister = Ports{}
	_ skalig.MigrationRegister        = Ports{}
	_ skalig.VehicleRegister          = Ports{}
)

func (p Ports) one(ctx context.Context, req skalig.RegisterRequest, source string) (*skalig.RegisterAnswer, error) {
	req.Sources = []string{source}
	if per, ok := req.SourcePeriods[source]; ok {
		req.SourcePeriods = map[string]skalig.RegisterPeriod{source: per}
	} else {
		req.SourcePeriods = nil
	}
	return p.Registers.Fetch(ctx, req)
}

// FetchBenefits asks Försäkringskassan (with Pensionsmyndigheten).
func (p Ports) FetchBenefits(ctx context.Context, req skalig.RegisterRequest) (*skalig.RegisterAnswer, error) {
	return p.one(ctx, req, skalig.RegisterFK)
}

// FetchStudentAid asks CSN.
func (p Ports) FetchStudentAid(ctx context.Context, req skalig.RegisterRequest) (*skalig.RegisterAnswer, error) {
	return p.one(ctx, req, skalig.RegisterCSN)
}

// FetchJobSeeker asks Arbetsförmedlingen.
func (p Ports) FetchJobSeeker(ctx context.Context, req skalig.RegisterRequest) (*skalig.RegisterAnswer, error) {
	return p.one(ctx, req, skalig.RegisterAF)
}

// FetchTaxation asks Skatteverket.
func (p Ports) FetchTaxation(ctx context.Context, req skalig.RegisterRequest) (*skalig.RegisterAnswer, error) {
	return p.one(ctx, req, skalig.RegisterSKV)
}

// FetchUnemploymentPayments asks the unemployment funds.
func (p Ports) FetchUnemploymentPayments(ctx context.Context, req skalig.RegisterRequest) (*skalig.RegisterAnswer, error) {
	return p.one(ctx, req, skalig.RegisterAkassa)
}

// FetchPermits asks Migrationsverket.
func (p Ports) FetchPermits(ctx context.Context, req skalig.RegisterRequest) (*skalig.RegisterAnswer, error) {
	return p.one(ctx, req, skalig.RegisterMigration)
}

// FetchVehicles asks Transportstyrelsen.
func (p Ports) FetchVehicles(ctx context.Context, req skalig.RegisterRequest) (*skalig.RegisterAnswer, error) {
	return p.one(ctx, req, skalig.RegisterTransport)
}
