package caseworker

import (
	"encoding/json"
	"strings"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/store"
	"skalig/internal/web"
)

// The history of a case or of the configuration: what each audit event
// says to the reader.

// actionLabels name the audit actions for the history, by key.
var cwActionKeys = map[string]string{
	store.ActionSubmitted:         "cw.event.submitted",
	store.ActionTransition:        "cw.event.transition",
	store.ActionFactsAdded:        "cw.event.facts",
	store.ActionRecorded:          "cw.event.recorded",
	store.ActionDecision:          "cw.event.decision",
	store.ActionPayment:           "cw.event.payment",
	store.ActionRead:              "cw.event.read",
	store.ActionDocumentRequested: "cw.event.document_requested",
	store.ActionDocumentUploaded:  "cw.event.document_uploaded",
	store.ActionMessage:           "cw.event.message",
	store.ActionSampleResult:      "cw.event.sample",
	store.ActionAssigned:          "cw.event.assigned",
	store.ActionDecisionProposed:  "cw.event.proposed",
	store.ActionApprovalClosed:    "cw.event.approval_closed",
	store.ActionConfigChanged:     "cw.event.config",
}

// EventOf describes an audit event for the history.
func EventOf(l *web.Lang, names map[string]string, e audit.Event) Event {
	v := Event{At: e.At, Who: ActorName(l, names, e.Actor)}
	kind, _, _ := strings.Cut(e.Actor, ":")
	v.ActorIsUser = kind == "staff" || kind == "caseworker"
	switch k, ok := cwActionKeys[e.Action]; {
	case ok:
		v.What = l.T(k)
	case l.Has("cw.event.action." + e.Action):
		v.What = l.T("cw.event.action." + e.Action)
	default:
		v.What = l.T("cw.event.other") // never the code itself
	}
	var d map[string]any
	if json.Unmarshal(e.Data, &d) != nil {
		return v
	}
	str := func(k string) string { s, _ := d[k].(string); return s }
	switch e.Action {
	case store.ActionTransition:
		from, to := skalig.CaseState(str("from")), skalig.CaseState(str("to"))
		v.Detail = l.TOr(from.TextID(), from.Swedish()) + " → " + l.TOr(to.TextID(), to.Swedish())
		var rs []string
		if r := str("reason"); r != "" {
			rs = append(rs, cwReasonLabel(l, r))
		}
		if xs, ok := d["reasons"].([]any); ok {
			for _, x := range xs {
				if s, ok := x.(string); ok {
					rs = append(rs, cwReasonLabel(l, s))
				}
			}
		}
		if len(rs) > 0 {
			v.Detail += " (" + strings.Join(rs, ", ") + ")"
		}
	case store.ActionFactsAdded:
		if xs, ok := d["facts"].([]any); ok {
			var fs []string
			for _, x := range xs {
				if s, ok := x.(string); ok {
					src, kind, _ := strings.Cut(s, " ")
					fs = append(fs, web.FactLabel(l, kind)+" ("+web.SourceLabel(l, skalig.FactSource(src))+")")
				}
			}
			v.Detail = strings.Join(fs, "; ")
		}
	case store.ActionRecorded:
		if k := str("kind"); web.IsCode(k) && l.Has("cw.recorded."+k) {
			v.Detail = l.T("cw.recorded." + k)
		} else {
			v.Detail = l.T("cw.recorded.other")
		}
	case store.ActionDecision:
		v.Detail = l.TOr("detail.outcome."+str("outcome"), str("outcome"))
	case store.ActionRead:
		via, what := str("via"), str("what")
		if web.IsCode(via) && l.Has("cw.read.via."+via) {
			via = l.T("cw.read.via." + via)
		}
		w, _, _ := strings.Cut(what, ":")
		if web.IsCode(w) && l.Has("cw.read.what."+w) {
			what = l.T("cw.read.what." + w)
		}
		v.Detail = via + ", " + what
	case store.ActionAssigned:
		if a := str("assignee"); a != "" {
			v.Detail = ActorName(l, names, "staff:"+a)
		} else {
			v.Detail = l.T("cw.event.unassigned")
		}
	case store.ActionDecisionProposed:
		v.Detail = l.TOr("detail.outcome."+str("outcome"), str("outcome"))
	case store.ActionApprovalClosed:
		v.Detail = l.T("cw.approval." + str("status"))
	case store.ActionDocumentRequested:
		v.Detail = l.T("cw.documents.due_short", str("due"))
	}
	return v
}
