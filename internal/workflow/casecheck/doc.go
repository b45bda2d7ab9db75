// Package casecheck holds the checks of what a caseworker enters by hand:
// which facts may be adjusted and how (Adjustable, CheckAdjustment,
// CheckDiscretion), the conditions recorded after reading a document
// (Condition), and the CSV of earlier months with aid (ParseAidHistory).
//
// Every function here is pure: it reads only its arguments (no store, no
// clock, no network) and returns facts or a skalig.Error naming the field,
// so the rules are tested without a database and the workflow, which
// reads the case and writes the result, stays the one place that acts.
package casecheck
