package registry_test

import (
	"testing"

	"skalig"
	"skalig/internal/registry"
	"skalig/internal/registry/registrytest"
	"skalig/internal/registry/sim"
)

// The contract suite runs against the simulator in process, against the
// client reaching the simulator in memory, and against the client talking
// to the simulator over HTTPS with mutual TLS.

func TestContractSimInProcess(t *testing.T) {
	registrytest.Run(t, func(t *testing.T) skalig.Registers { return sim.New(sim.Config{Seed: 7}) })
}

func TestContractClientInMemory(t *testing.T) {
	registrytest.Run(t, func(t *testing.T) skalig.Registers { return memClient(t, sim.New(sim.Config{Seed: 7}), nil) })
}

func TestContractClientTLS(t *testing.T) {
	registrytest.Run(t, func(t *testing.T) skalig.Registers {
		s := sim.New(sim.Config{Seed: 7})
		srv, certs := tlsServer(t, s)
		return tlsClient(t, srv, certs, nil)
	})
}

// TestContractPorts runs the suite's per-answer checks on the per-source
// ports.
func TestContractPorts(t *testing.T) {
	ports := registry.Ports{Registers: sim.New(sim.Config{Seed: 7})}
	req := request(registrytest.Persons[0])
	for src, f := range map[string]func() (*skalig.RegisterAnswer, error){
		skalig.RegisterFK:        func() (*skalig.RegisterAnswer, error) { return ports.FetchBenefits(t.Context(), req) },
		skalig.RegisterCSN:       func() (*skalig.RegisterAnswer, error) { return ports.FetchStudentAid(t.Context(), req) },
		skalig.RegisterAF:        func() (*skalig.RegisterAnswer, error) { return ports.FetchJobSeeker(t.Context(), req) },
		skalig.RegisterSKV:       func() (*skalig.RegisterAnswer, error) { return ports.FetchTaxation(t.Context(), req) },
		skalig.RegisterAkassa:    func() (*skalig.RegisterAnswer, error) { return ports.FetchUnemploymentPayments(t.Context(), req) },
		skalig.RegisterMigration: func() (*skalig.RegisterAnswer, error) { return ports.FetchPermits(t.Context(), req) },
		skalig.RegisterTransport: func() (*skalig.RegisterAnswer, error) { return ports.FetchVehicles(t.Context(), req) },
	} {
		ans, err := f()
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		one := req
		one.Sources = []string{src}
		registrytest.Check(t, one, ans)
	}
}
