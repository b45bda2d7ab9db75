// Package whatifexamples holds the demo's ready-made what-if candidates
// (docs/whatif.md), embedded so that the administration pages can offer
// them: the maximum housing cost of 0821 raised by 10 % (a municipal file)
// and a delegation limit of 8 000 kr (a routing version).
package whatifexamples

import "embed"

// Files are the candidate files: 0821-bostad+10.json, routing-8000.json.
//
//go:embed *.json
var Files embed.FS
