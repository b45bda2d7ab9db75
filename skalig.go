// Package skalig holds the domain of Skälig: the types that describe a
// household's application for försörjningsstöd, money, months and the errors
// that every adapter maps in one place. It imports nothing of ours; adapters
// under internal/ import it.
package skalig

// Version is the program version, set at build time with
// -ldflags "-X skalig.Version=v1.2.3".
var Version = "dev"
