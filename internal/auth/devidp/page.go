package devidp

import (
	"html/template"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}} – utvecklingsinloggning</title>
<style>
body { font-family: system-ui, sans-serif; line-height: 1.5; margin: 0 auto; max-width: 44rem; padding: 1rem; color: #1a1a1a; background: #fff; }
.banner { border: 3px solid #8a4b00; background: #fff4e5; padding: .5rem 1rem; }
.error { border: 3px solid #b00020; padding: .5rem 1rem; }
fieldset { border: 1px solid #595959; margin: 1rem 0; padding: .5rem 1rem; }
legend { font-weight: bold; font-size: 1.2rem; padding: 0 .25rem; }
.choice { display: flex; gap: .5rem; align-items: flex-start; padding: .35rem 0; }
.choice input { width: 1.25rem; height: 1.25rem; margin-top: .2rem; flex: none; }
.detail { display: block; color: #404040; }
button { font-size: 1rem; padding: .6rem 1.2rem; margin: .25rem .5rem .25rem 0; border: 2px solid #1a1a1a; border-radius: 4px; background: #1a1a1a; color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: #1a1a1a; }
:focus-visible { outline: 3px solid #005fcc; outline-offset: 2px; }
</style>
</head>
<body>
<header>
<p class="banner"><strong>Endast för utveckling och test.</strong> Alla personer här är påhittade. Den här inloggningen får aldrig användas med riktiga personer.</p>
</header>
{{end}}

{{define "login"}}{{template "head" "Välj testperson"}}
<main>
<h1>Logga in som testperson</h1>
<p>Tjänsten <strong>{{.ClientID}}</strong> ber dig logga in. Välj en person och tryck på <strong>Logga in</strong>.</p>
{{if .Error}}<div class="error" role="alert" id="fel"><p>{{.Error}}</p></div>{{end}}
<form method="post" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}
<fieldset{{if .Error}} aria-describedby="fel"{{end}}>
<legend>Sökande</legend>
{{range .Applicants}}<div class="choice">
<input type="radio" name="person" id="p-{{.Subject}}" value="{{.Subject}}"{{if .Checked}} checked{{end}} required>
<label for="p-{{.Subject}}">{{.Name}}, {{.Number}} <span class="detail">{{.Detail}}</span></label>
</div>
{{end}}</fieldset>
<fieldset{{if .Error}} aria-describedby="fel"{{end}}>
<legend>Personal</legend>
{{range .Staff}}<div class="choice">
<input type="radio" name="person" id="p-{{.Subject}}" value="{{.Subject}}"{{if .Checked}} checked{{end}} required>
<label for="p-{{.Subject}}">{{.Name}} <span class="detail">{{.Detail}}</span></label>
</div>
{{end}}</fieldset>
<button type="submit" name="action" value="login">Logga in</button>
<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Avbryt</button>
</form>
</main>
</body>
</html>
{{end}}

{{define "message"}}{{template "head" .Title}}
<main>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
</main>
</body>
</html>
{{end}}
`))

var roleNames = map[string]string{
	"caseworker":          "handläggare",
	"financial_assistant": "ekonomiassistent",
	"manager":             "chef",
	"administrator":       "administratör",
}

var municipalityNames = map[string]string{Hogsby: "Högsby", Kalmar: "Kalmar"}

type choice struct {
	Subject, Name, Number, Detail string
	Checked                       bool
}

func (s *Server) loginPage(w http.ResponseWriter, status int, ar authRequest, selected, errMsg string) {
	data := struct {
		ClientID, Action, Error string
		Hidden                  map[string]string
		Applicants, Staff       []choice
	}{
		ClientID: ar.ClientID,
		Action:   s.issuer + pathAuthorize,
		Error:    errMsg,
		Hidden: map[string]string{
			"client_id": ar.ClientID, "redirect_uri": ar.RedirectURI, "response_type": ar.ResponseType,
			"scope": ar.Scope, "state": ar.State, "nonce": ar.Nonce,
			"code_challenge": ar.Challenge, "code_challenge_method": ar.ChallengeMethod,
		},
	}
	for _, p := range s.persons {
		c := choice{Subject: p.Subject, Name: p.Name(), Detail: p.Description, Checked: p.Subject == selected}
		if p.IsStaff() {
			var roles, ms []string
			for _, r := range p.Roles {
				if n, ok := roleNames[r]; ok {
					r = n
				}
				roles = append(roles, r)
			}
			for _, m := range p.Municipalities {
				if n, ok := municipalityNames[m]; ok {
					m = n + " (" + m + ")"
				}
				ms = append(ms, m)
			}
			d := strings.Join(roles, ", ") + " i " + strings.Join(ms, " och ") + ". " + p.Description
			r, size := utf8.DecodeRuneInString(d)
			c.Detail = string(unicode.ToUpper(r)) + d[size:]
			data.Staff = append(data.Staff, c)
			continue
		}
		if pn := p.PersonalNumber.Canonical(); len(pn) == 12 {
			c.Number = pn[:8] + "-" + pn[8:]
		}
		data.Applicants = append(data.Applicants, c)
	}
	s.render(w, status, "login", data)
}

func (s *Server) errorPage(w http.ResponseWriter, status int, msg string) {
	s.messagePage(w, status, "Inloggningen kan inte visas", msg)
}

func (s *Server) messagePage(w http.ResponseWriter, status int, title, msg string) {
	s.render(w, status, "message", struct{ Title, Message string }{title, msg})
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		s.log.Error("devidp: render", "template", name, "error", err)
	}
}
