package skalig

import (
	"encoding/json"
	"fmt"
	"slices"
)

// This file is the one registry of the structured grounds (skäl) a person
// picks when a decision does not approve in full: a rejection or a partial
// approval must be motivated (förvaltningslagen 32 §). A ground is chosen
// by its code (the caseworker's page, the API's "grounds"); the workflow
// checks the codes and puts each ground's Swedish text into the decision's
// statement of reasons, which goes into the decision letter (in Swedish).
// No other package spells a ground code (TestGroundCodesDefinedOnce).
//
// Each ground has two messages in the catalogs locales/grounds.LANG.json
// (sv, en, ar; embedded with ReasonCatalogs): a short label (LabelID,
// "ground.<code>") for the caseworker's page in the page's language, and
// the text (TextID, "ground.<code>.text"); GroundInfo.Text gives the Swedish
// text, the one that goes into the decision.

// The ground codes, in the order the caseworker's page lists them.
const (
	GroundIncome    = "income"
	GroundCost      = "cost"
	GroundOtherNeed = "other_need"
	GroundAssets    = "assets"
	GroundWork      = "work"
	GroundDocuments = "documents"
	GroundPermit    = "permit"
)

// GroundInfo is one registered decision ground.
type GroundInfo struct {
	Code string
}

// LabelID is the message id of the ground's short label.
func (g GroundInfo) LabelID() string { return "ground." + g.Code }

// TextID is the message id of the ground's text, the sentence that goes
// into the decision's statement of reasons.
func (g GroundInfo) TextID() string { return "ground." + g.Code + ".text" }

// Text is the ground's Swedish text.
func (g GroundInfo) Text() string { return swedishGrounds[g.TextID()] }

var grounds = []GroundInfo{
	{GroundIncome}, {GroundCost}, {GroundOtherNeed}, {GroundAssets}, {GroundWork}, {GroundDocuments}, {GroundPermit},
}

// Grounds returns every registered decision ground, in the order the
// caseworker's page lists them.
func Grounds() []GroundInfo { return slices.Clone(grounds) }

// LookupGround returns the registered ground of code.
func LookupGround(code string) (GroundInfo, bool) {
	i := slices.IndexFunc(grounds, func(g GroundInfo) bool { return g.Code == code })
	if i < 0 {
		return GroundInfo{}, false
	}
	return grounds[i], true
}

// swedishGrounds is the Swedish catalog of the grounds: message id → text.
var swedishGrounds = func() map[string]string {
	buf, err := ReasonCatalogs.ReadFile("locales/grounds.sv.json")
	if err != nil {
		panic(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(buf, &m); err != nil {
		panic(fmt.Sprintf("skalig: locales/grounds.sv.json: %v", err))
	}
	return m
}()
