package registry_test

import (
	"testing"

	"skalig"
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
