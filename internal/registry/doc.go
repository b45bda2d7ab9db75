// Package registry asks the registers: the client of the combined national
// service for ekonomiskt bistånd (SSBTEK and its successor), speaking SOAP
// 1.1 over HTTPS with client certificates (package wire has the protocol),
// with retry, backoff and a circuit breaker per source, and the mapping of
// each source's data to the fact vocabulary of package skalig. The mapping
// is documented in docs/registers.md.
//
// Subpackages: wire (the protocol), sim (a simulator speaking it, also
// usable in process) and registrytest (the contract suite every
// skalig.Registers passes).
package registry
