package web

import "fmt"

// The applicant's pages keep their messages in applicant_messages_*.go, so
// that they and the other parts of the site do not edit the same catalog
// files. init adds them to the language catalogs; a key in both is a
// mistake that stops the program at start.
func init() {
	for _, c := range []struct {
		to, from map[string]string
	}{{messagesSV, applicantMessagesSV}, {messagesEN, applicantMessagesEN}, {messagesAR, applicantMessagesAR}} {
		for k, v := range c.from {
			if _, dup := c.to[k]; dup {
				panic(fmt.Sprintf("web: message %q is in two catalogs", k))
			}
			c.to[k] = v
		}
	}
}
