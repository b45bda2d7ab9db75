package payments

import "skalig"

// ReasonText is the Swedish text of an ISO 20022 status or return reason
// code the bank gives for a rejected payment, or a text naming the code
// when Skälig does not know it (the catalogs: skalig.BankReasonTextID).
func ReasonText(code string) string { return skalig.BankReasonText(code) }
