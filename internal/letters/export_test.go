package letters

// SRGBProfileForTest exposes the output intent's profile to the tests.
func SRGBProfileForTest() []byte { return sRGBProfile() }
