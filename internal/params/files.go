package params

// Files returns the embedded parameter files as they are: the riksnorm
// table and the dated parameters (data/riksnorm.tsv, data/dated.tsv). A
// what-if run (internal/whatif) replaces a year of the riksnorm table, or
// the dated file, with a candidate and loads the result with Parse.
func Files() (riksnorm, dated []byte, err error) {
	if riksnorm, err = dataFS.ReadFile("data/riksnorm.tsv"); err != nil {
		return nil, nil, err
	}
	if dated, err = dataFS.ReadFile("data/dated.tsv"); err != nil {
		return nil, nil, err
	}
	return riksnorm, dated, nil
}
