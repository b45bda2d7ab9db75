package rules

import "skalig"

// The special calculation rule for earned income (jobbstimulans): the months
// it applies in, from the months of aid before them.

// jobbstimulansPeriod2 is JobbstimulansPeriod over the union of the
// household's months and a person's own, without allocating when either is
// empty.
func jobbstimulansPeriod2(household, own []skalig.Month, m skalig.Month, qualifying, duration int) (bool, skalig.Month, skalig.Month) {
	switch {
	case len(own) == 0:
		return JobbstimulansPeriod(household, m, qualifying, duration)
	case len(household) == 0:
		return JobbstimulansPeriod(own, m, qualifying, duration)
	}
	all := make([]skalig.Month, 0, len(household)+len(own))
	all = append(append(all, household...), own...)
	return JobbstimulansPeriod(sortedUnique(all), m, qualifying, duration)
}

// JobbstimulansPeriod reports whether the special calculation rule applies in
// month m given the months of aid before it: qualifying months of aid in a
// row qualify; the rule then applies for duration months counted from the
// month after the last qualifying one, also through months without aid; a new
// qualification needs qualifying new months in a row after that period. It
// returns the period that covers m. months need not be sorted.
func JobbstimulansPeriod(months []skalig.Month, m skalig.Month, qualifying, duration int) (bool, skalig.Month, skalig.Month) {
	if qualifying <= 0 || len(months) < qualifying {
		return false, 0, 0
	}
	sorted := true
	for i := 1; i < len(months); i++ {
		if months[i] <= months[i-1] {
			sorted = false
			break
		}
	}
	if !sorted {
		months = sortedUnique(months)
	}
	periodEnd := skalig.Month(-1 << 30)
	run := 0
	var prev skalig.Month
	for _, a := range months {
		if a <= periodEnd || a >= m {
			continue
		}
		if run > 0 && a == prev+1 {
			run++
		} else {
			run = 1
		}
		prev = a
		if run == qualifying {
			from, to := a+1, a+skalig.Month(duration)
			if from <= m && m <= to {
				return true, from, to
			}
			periodEnd, run = to, 0
		}
	}
	return false, 0, 0
}

func sortedUnique(ms []skalig.Month) []skalig.Month {
	out := make([]skalig.Month, 0, len(ms))
	for _, m := range ms {
		i := len(out)
		for i > 0 && out[i-1] > m {
			i--
		}
		if i > 0 && out[i-1] == m {
			continue
		}
		out = append(out, 0)
		copy(out[i+1:], out[i:])
		out[i] = m
	}
	return out
}
