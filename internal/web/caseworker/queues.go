package caseworker

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/web"
)

// Queues of the caseworker's overview, in the order of the tabs.
const (
	cwQExceptions    = "undantag"  // the robot stopped: grouped by reason
	cwQProposals     = "forslag"   // decision proposals to sign
	cwQSign          = "signera"   // decisions waiting for a second signature
	cwQSamples       = "stickprov" // sample controls
	cwQWaiting       = "vantar"    // waiting for the applicant
	cwQOverdue       = "forsenade" // days since submission over the limit
	cwQMine          = "mina"      // assigned to me
	cwQAll           = "alla"      // every open case
	cwMaxQueueRows   = 50          // rows shown on one page of a queue
	cwAssignedMe     = "mig"       // filter: assigned to me
	cwAssignedNobody = "ingen"     // filter: assigned to nobody
	cwKindAny        = ""          // filter: any kind
)

var cwQueueOrder = []string{cwQExceptions, cwQProposals, cwQSign, cwQSamples, cwQWaiting, cwQOverdue, cwQMine, cwQAll}

// cwProposalReasons are the reasons of a case that is only a proposal: no
// delegation covers it. The casework reasons (documents asked for and
// received, an adjustment) do not make a proposal an exception.
var (
	cwProposalReasons = cwReasonsOfKind(skalig.ReasonKindProposal)
	cwCaseworkReasons = cwReasonsOfKind(skalig.ReasonKindCasework)
)

// cwReasonsOfKind returns the registered codes of kind k.
func cwReasonsOfKind(k skalig.ReasonKind) []string {
	var out []string
	for _, r := range skalig.Reasons() {
		if r.Kind == k {
			out = append(out, r.Code)
		}
	}
	return out
}

// cwQueuesOf says which queues an open case is in.
func cwQueuesOf(it *skalig.QueueItem, me string, overdueDays, days int) []string {
	c := it.Case
	var out []string
	sample := c.State == skalig.StateSampled || slices.Contains(c.RoutingReasons, skalig.ReasonSample)
	switch {
	case it.PendingApproval:
		out = append(out, cwQSign)
	case sample && (c.State == skalig.StateSampled || c.State == skalig.StateAwaitingCaseworker):
		out = append(out, cwQSamples)
	case c.State == skalig.StateAwaitingCaseworker && cwIsProposal(c.RoutingReasons):
		out = append(out, cwQProposals)
	case c.State == skalig.StateAwaitingCaseworker:
		out = append(out, cwQExceptions)
	case c.State == skalig.StateAwaitingApplicant:
		out = append(out, cwQWaiting)
	}
	if days > overdueDays {
		out = append(out, cwQOverdue)
	}
	if me != "" && it.Assignee == me {
		out = append(out, cwQMine)
	}
	return append(out, cwQAll)
}

// cwIsProposal reports whether reasons are those of a proposal only.
func cwIsProposal(reasons []string) bool {
	n := 0
	for _, r := range reasons {
		switch {
		case slices.Contains(cwProposalReasons, r):
			n++
		case slices.Contains(cwCaseworkReasons, r):
		default:
			return false
		}
	}
	return n > 0
}

// cwStopReasons are the reasons of an exception that say why the robot
// stopped, without the casework reasons.
func cwStopReasons(reasons []string) []string {
	var out []string
	for _, r := range reasons {
		if !slices.Contains(cwCaseworkReasons, r) && !slices.Contains(cwProposalReasons, r) {
			out = append(out, r)
		}
	}
	return out
}

// cwReasonLabel is a short name of a routing reason code for queues and
// headings, in the page's language (the registry's label, skalig.ReasonLabelID);
// a municipal rule is named by its name, a bank's code with its text.
func cwReasonLabel(l *web.Lang, code string) string {
	id, arg, ok := skalig.ReasonLabelID(code)
	switch {
	case !ok:
		return code
	case strings.HasPrefix(code, skalig.ReasonBankPrefix):
		textID, args := skalig.BankReasonTextID(arg)
		return l.T(id, arg+" "+l.T(textID, args...))
	case arg != "":
		return l.T(id, arg)
	}
	return l.T(id)
}

// cwOpenCacheTTL is how long the list of open cases of a municipality is
// reused between queue pages. Every queue page needs the whole list (for the
// counts); a change made through these pages drops it at once, and a change
// the robot or another instance makes shows within the TTL.
const cwOpenCacheTTL = 2 * time.Second

type cwOpenList struct {
	items []skalig.QueueItem
	at    time.Time
}

// openCases returns the open cases of municipality code, from the cache
// when they were read less than cwOpenCacheTTL ago. The items are shared:
// never change them.
func (c *Desk) openCases(ctx context.Context, code string) ([]skalig.QueueItem, error) {
	if v, ok := c.open.Load(code); ok {
		if l := v.(*cwOpenList); time.Since(l.at) < cwOpenCacheTTL {
			return l.items, nil
		}
	}
	at := time.Now()
	items, err := c.desk.OpenCases(ctx, code)
	if err != nil {
		return nil, err
	}
	c.open.Store(code, &cwOpenList{items: items, at: at})
	return items, nil
}

// changed drops the cached open cases of municipality code: a case of it was
// changed through these pages.
func (c *Desk) changed(code string) { c.open.Delete(code) }

// cwQueueFilter is what the queue page lists.
type cwQueueFilter struct {
	Queue    string
	Reason   string // exceptions: one reason code
	Assigned string // "", cwAssignedMe or cwAssignedNobody
	Kind     string // "", "first" or "monthly"
	Page     int    // 1, 2, ...: the page of rows
}

func (f cwQueueFilter) values(code string) url.Values {
	v := url.Values{}
	v.Set("kommun", code)
	if f.Queue != "" {
		v.Set("ko", f.Queue)
	}
	if f.Reason != "" {
		v.Set("orsak", f.Reason)
	}
	if f.Assigned != "" {
		v.Set("tilldelad", f.Assigned)
	}
	if f.Kind != "" {
		v.Set("slag", f.Kind)
	}
	if f.Page > 1 {
		v.Set("sida", strconv.Itoa(f.Page))
	}
	return v
}

// cwQueuesView is the data of the queue page.
type cwQueuesView struct {
	Municipality   string
	Code           string
	Municipalities []MunicipalityChoice
	Tabs           []cwQueueTab
	Current        cwQueueTab
	Reasons        []cwReasonCount // the exceptions by reason
	Filter         cwQueueFilter
	FilterReasons  []web.Option
	Rows           []cwQueueRow
	Total          int // rows matching
	First, Last    int // the rows shown, counted from 1
	PrevURL        string
	NextURL        string
	OverdueDays    int
	CanTake        bool
	TakeLabel      string
	Return         string // this page, to come back to after an action
	APIURL         string
}

type cwQueueTab struct {
	Key, Label, Help, URL string
	Count                 int
	Current               bool
}

type cwReasonCount struct {
	Code, Label, URL string
	Count            int
	Social, Current  bool
}

type cwQueueRow struct {
	ID, URL      string
	Applicant    string // masked personnummer
	Name         string // the applicant's name, or "name unknown"
	DaysText     string
	Month        skalig.Month
	KindLabel    string
	State        string // Swedish, from the domain
	Reasons      []string
	Social       bool
	Days         int
	Overdue      bool
	Assignee     string // name
	AssigneeSub  string // subject
	AssignedToMe bool
	Unassigned   bool
	Due          string
	DuePassed    bool
	Pending      bool
}

// queues computes the queues of municipality code for staff member me:
// the counts, and with rows the page of rows that f selects.
func (c *Desk) queues(ctx context.Context, l *web.Lang, code, me string, f cwQueueFilter, rows bool) (*cwQueuesView, error) {
	items, err := c.openCases(ctx, code)
	if err != nil {
		return nil, err
	}
	settings, err := c.mc.Casework(ctx, code, c.s.MonthInForce())
	if err != nil {
		c.s.Logger().WarnContext(ctx, "casework settings", "municipality", code, "err", err)
	}
	v := &cwQueuesView{Code: code, Municipality: c.MunicipalityName(code), Filter: f, OverdueDays: settings.OverdueDays}
	counts := map[string]int{}
	reasonN := map[string]int{}
	social := map[string]bool{}
	var names map[string]string
	today := c.today()
	type match struct {
		it   *skalig.QueueItem
		days int
	}
	var matched []match
	for i := range items {
		it := &items[i]
		days := c.daysSince(it.Case.CreatedAt)
		qs := cwQueuesOf(it, me, settings.OverdueDays, days)
		for _, q := range qs {
			counts[q]++
		}
		if slices.Contains(qs, cwQExceptions) {
			for _, r := range cwStopReasons(it.Case.RoutingReasons) {
				reasonN[r]++
				social[r] = social[r] || r == skalig.ReasonSocialRisk
			}
		}
		if !rows || !slices.Contains(qs, f.Queue) {
			continue
		}
		if f.Queue == cwQExceptions && f.Reason != "" && !slices.Contains(it.Case.RoutingReasons, f.Reason) {
			continue
		}
		switch f.Assigned {
		case cwAssignedMe:
			if it.Assignee != me {
				continue
			}
		case cwAssignedNobody:
			if it.Assignee != "" {
				continue
			}
		}
		if f.Kind != cwKindAny && string(it.Case.Kind) != f.Kind {
			continue
		}
		matched = append(matched, match{it, days})
	}
	// Social-risk signals first, then the oldest.
	sort.SliceStable(matched, func(i, j int) bool {
		si := slices.Contains(matched[i].it.Case.RoutingReasons, skalig.ReasonSocialRisk)
		sj := slices.Contains(matched[j].it.Case.RoutingReasons, skalig.ReasonSocialRisk)
		if si != sj {
			return si
		}
		return matched[i].it.Case.ID < matched[j].it.Case.ID
	})
	v.Total = len(matched)
	page := max(f.Page, 1)
	from := min((page-1)*cwMaxQueueRows, len(matched))
	to := min(from+cwMaxQueueRows, len(matched))
	if from > 0 {
		g := f
		g.Page = page - 1
		v.PrevURL = Path + "?" + g.values(code).Encode()
	}
	if to < len(matched) {
		g := f
		g.Page = page + 1
		v.NextURL = Path + "?" + g.values(code).Encode()
	}
	v.First, v.Last = from+1, to
	matched = matched[from:to]
	if len(matched) > 0 {
		names = c.Names(ctx)
	}
	for _, m := range matched {
		it, cs := m.it, m.it.Case
		row := cwQueueRow{
			ID: cs.ID, URL: cwCaseURL(cs.ID), Applicant: it.Applicant.Masked(), Name: cwName(l, it.ApplicantName), Month: cs.Month,
			KindLabel: l.T("kind." + string(cs.Kind)), State: l.T(cs.State.TextID()),
			Social: slices.Contains(cs.RoutingReasons, skalig.ReasonSocialRisk),
			Days:   m.days, Overdue: m.days > settings.OverdueDays,
			AssignedToMe: it.Assignee != "" && it.Assignee == me, Unassigned: it.Assignee == "",
			Pending: it.PendingApproval,
		}
		if row.Overdue {
			row.DaysText = l.T("cw.days.overdue", m.days)
		} else {
			row.DaysText = l.T("cw.days", m.days)
		}
		row.AssigneeSub = it.Assignee
		if it.Assignee != "" {
			row.Assignee = names[it.Assignee]
			if row.Assignee == "" {
				row.Assignee = it.Assignee
			}
		}
		for _, r := range cs.RoutingReasons {
			if r != skalig.ReasonSocialRisk { // shown as the tag
				row.Reasons = append(row.Reasons, cwReasonLabel(l, r))
			}
		}
		if it.Due != (skalig.Date{}) {
			row.Due = it.Due.String()
			row.DuePassed = it.Due.Before(today)
		}
		v.Rows = append(v.Rows, row)
	}
	for _, q := range cwQueueOrder {
		g := f
		g.Queue, g.Reason = q, ""
		t := cwQueueTab{Key: q, Label: l.T("cw.queue." + q), Help: l.T("cw.queue." + q + ".help"), Count: counts[q],
			URL: Path + "?" + g.values(code).Encode(), Current: q == f.Queue}
		if q == cwQOverdue {
			t.Help = l.T("cw.queue.forsenade.help", settings.OverdueDays)
		}
		if t.Current {
			v.Current = t
		}
		v.Tabs = append(v.Tabs, t)
	}
	var codes []string
	for r := range reasonN {
		codes = append(codes, r)
	}
	sort.Slice(codes, func(i, j int) bool {
		if social[codes[i]] != social[codes[j]] {
			return social[codes[i]]
		}
		if reasonN[codes[i]] != reasonN[codes[j]] {
			return reasonN[codes[i]] > reasonN[codes[j]]
		}
		return codes[i] < codes[j]
	})
	v.FilterReasons = []web.Option{{Value: "", Label: l.T("cw.filter.reason.all")}}
	for _, r := range codes {
		g := f
		g.Queue, g.Reason = cwQExceptions, r
		v.Reasons = append(v.Reasons, cwReasonCount{Code: r, Label: cwReasonLabel(l, r), Count: reasonN[r], Social: social[r],
			URL: Path + "?" + g.values(code).Encode(), Current: f.Queue == cwQExceptions && f.Reason == r})
		v.FilterReasons = append(v.FilterReasons, web.Option{Value: r, Label: cwReasonLabel(l, r) + " (" + strconv.Itoa(reasonN[r]) + ")"})
	}
	v.Return = Path + "?" + f.values(code).Encode()
	v.TakeLabel = l.T("cw.assign.take")
	v.APIURL = Path + "/api/koer?kommun=" + url.QueryEscape(code)
	return v, nil
}

// cwParseQueueFilter reads the filter of the queue page; unknown values are
// the defaults.
func cwParseQueueFilter(q url.Values) cwQueueFilter {
	f := cwQueueFilter{Queue: q.Get("ko"), Reason: q.Get("orsak"), Assigned: q.Get("tilldelad"), Kind: q.Get("slag")}
	if n, err := strconv.Atoi(q.Get("sida")); err == nil && n > 1 && n < 10000 {
		f.Page = n
	}
	if !slices.Contains(cwQueueOrder, f.Queue) {
		f.Queue = cwQExceptions
	}
	if f.Assigned != cwAssignedMe && f.Assigned != cwAssignedNobody {
		f.Assigned = ""
	}
	if f.Kind != string(skalig.FirstApplication) && f.Kind != string(skalig.MonthlyApplication) {
		f.Kind = cwKindAny
	}
	if f.Queue != cwQExceptions {
		f.Reason = ""
	}
	return f
}

func (c *Desk) handleQueues(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	if !p.HasAnyRole(RolesWork...) {
		http.Redirect(w, r, Path+"/admin", http.StatusSeeOther)
		return
	}
	code, ok := c.Municipality(w, r, p)
	if !ok {
		return
	}
	l := web.LangFrom(r.Context())
	f := cwParseQueueFilter(r.URL.Query())
	v, err := c.queues(r.Context(), l, code, p.Subject, f, true)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	v.CanTake = p.HasAnyRole(RolesAct...)
	v.Municipalities = c.MunicipalityChoices(p, code, Path, r.URL.Query())
	pg := c.Page(r, p, l.T("cw.queues.title"), v)
	pg.Form = web.NewForm(l, url.Values{"orsak": {f.Reason}, "tilldelad": {f.Assigned}, "slag": {f.Kind}})
	c.s.Render(w, r, http.StatusOK, "cw-queues", pg)
}

// handleAssign gives the case to the staff member (till=mig), a colleague
// (till=<subject>, for caseworkers and managers), or nobody (till=).
func (c *Desk) handleAssign(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	cs, ok := c.loadCase(w, r, p)
	if !ok {
		return
	}
	to := r.PostForm.Get("till")
	switch {
	case to == cwAssignedMe:
		if !p.HasAnyRole(RolesAct...) {
			c.s.Forbidden(w, r)
			return
		}
		to = p.Subject
	case to == p.Subject:
		if !p.HasAnyRole(RolesAct...) {
			c.s.Forbidden(w, r)
			return
		}
	case to == "":
		// Release: one's own case, or anyone's for those who distribute.
		if a, err := c.desk.Assignment(r.Context(), cs.ID); err == nil && a.Assignee != p.Subject && !p.HasAnyRole(RolesDistribute...) {
			c.s.Forbidden(w, r)
			return
		}
	default:
		if !p.HasAnyRole(RolesDistribute...) {
			c.s.Forbidden(w, r)
			return
		}
		known := false
		for _, m := range c.colleagues(r.Context(), cs.Municipality) {
			known = known || m.Subject == to
		}
		if !known {
			c.s.ErrorStatus(w, r, http.StatusBadRequest, "")
			return
		}
	}
	if _, ok := r.PostForm["fran"]; ok {
		// From a queue: only when the case is still as the queue showed it
		// (a colleague may have taken it since).
		cur := ""
		if a, err := c.desk.Assignment(r.Context(), cs.ID); err == nil {
			cur = a.Assignee
		}
		if cur != r.PostForm.Get("fran") {
			c.s.Error(w, r, skalig.Errorf(skalig.ECONFLICT, "Någon annan har just tagit ärendet. Ladda om kön och försök igen."))
			return
		}
	}
	if err := c.desk.Assign(r.Context(), cs.ID, to, cwActor(p)); err != nil {
		c.s.Error(w, r, err)
		return
	}
	RedirectDone(w, r, cwLocalReturn(r.PostForm.Get("tillbaka"), cwCaseURL(cs.ID)), "tilldelad")
}

// ReasonLabel is the short name of a routing reason code in the page's
// language, as the queues show it (for the statistics pages).
func ReasonLabel(l *web.Lang, code string) string { return cwReasonLabel(l, code) }
