// Package municipaltest holds test helpers over the municipal
// configuration.
package municipaltest

import (
	"skalig"
	"skalig/internal/municipal"
	"skalig/internal/routing"
)

// Unsampled is a municipality's configuration with no sample draw: for a
// test that needs a chosen case decided automatically (a draw is by case
// id, so a drawn case would make such a test fail by chance).
type Unsampled struct{ *municipal.Set }

// Routing is the set's routing configuration with the sample rate and
// seed cleared.
func (u Unsampled) Routing(code string, mo skalig.Month) (*routing.Config, error) {
	c, err := u.Set.Routing(code, mo)
	if err != nil {
		return nil, err
	}
	spec := c.Spec()
	spec.SampleRate, spec.SampleSeed = 0, ""
	return routing.New(spec)
}
