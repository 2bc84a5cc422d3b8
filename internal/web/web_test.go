package web_test

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"truce/internal/auth"
)

// element is one element of a page, with its attributes and text.
type element struct {
	name  string
	attrs map[string]string
	text  string
}

// parse reads an HTML page leniently into its elements, in document order.
func parse(t testing.TB, page string) []element {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var out []element
	var open []int
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("page does not parse: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			e := element{name: x.Name.Local, attrs: map[string]string{}}
			for _, a := range x.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
			open = append(open, len(out)-1)
		case xml.EndElement:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		case xml.CharData:
			for _, i := range open {
				out[i].text += string(x)
			}
		}
	}
}

func find(els []element, name, attr, val string) *element {
	for i := range els {
		if els[i].name == name && (attr == "" || els[i].attrs[attr] == val) {
			return &els[i]
		}
	}
	return nil
}

func bearer(token string) map[string]string {
	if token == "" {
		return nil
	}
	return map[string]string{"Authorization": "Bearer " + token}
}

// TestPages checks each page's status and content for the public and for
// signed-in roles: the pages show what the API shows each viewer.
func TestPages(t *testing.T) {
	fx := shared(t)
	analyst, observer, caseworker := fx.tokens[auth.Analyst], fx.tokens[auth.Observer], fx.tokens[auth.Caseworker]
	inc := "/incidents/" + fx.incident
	tests := []struct {
		name, path, token string
		status            int
		contains          []string
		location          string
	}{
		{"dashboard", "/", "", 200, []string{"472", "Latest daily report", `href="/reports/daily/2025-06-01"`, "<svg"}, ""},
		{"dashboard, analyst sees the public page", "/", analyst, 200, []string{"472"}, ""},
		{"report", "/reports/daily/2025-06-01", "", 200, []string{"472", "Daily report, 2025-06-01", "Printable page", "<svg"}, ""},
		{"report, 9 July", "/reports/daily/2025-07-09", "", 200, []string{"728"}, ""},
		{"report, a day without data", "/reports/daily/2030-01-01", "", 200, []string{"No Air Force bulletin"}, ""},
		{"report, not a date", "/reports/daily/junk", "", 400, []string{"YYYY-MM-DD"}, ""},
		{"report, no such date", "/reports/daily/2025-02-30", "", 400, nil, ""},
		{"report form", "/reports/daily?day=2025-06-01", "", 303, nil, "/reports/daily/2025-06-01"},
		{"report form, bad day", "/reports/daily?day=1%20June", "", 400, nil, ""},
		{"report form, no day", "/reports/daily", "", 400, nil, ""},
		{"dashboard: the released incident", "/", "", 200, []string{"Incidents released to the public: 1.", `href="/incidents/` + fx.released + `"`}, ""},
		{"dashboard: the released finding", "/", "", 200, []string{"Released findings", "Monitors from two organisations observed the strike", "The latest findings released to the public"}, ""},
		{"incident: its timeline", "/incidents/" + fx.released, "", 200, []string{"Timeline", "released to the public", "The incident&#39;s timeline"}, ""},
		{"incidents, public: only the released one", "/incidents", "", 200, []string{`<th scope="row"><a href="/incidents/` + fx.released + `"`, "Incidents, 1 on this page"}, ""},
		{"incident, public: released, coarsened", "/incidents/" + fx.released, "", 200, []string{"the public (locations coarsened)", "Monitors from two organisations", "released to the public"}, ""},
		{"incidents, analyst", "/incidents", analyst, 200, []string{`href="/incidents/`, "<svg", "Next page"}, ""},
		{"incidents, analyst, filtered", "/incidents?domain=air&from=2025-06-01&to=2025-06-01&by=status", analyst, 200, []string{"<svg"}, ""},
		{"incidents, caseworker: only released", "/incidents", caseworker, 200, []string{"Incidents, 1 on this page"}, ""},
		{"incidents, bad day", "/incidents?from=yesterday", analyst, 400, []string{"from: YYYY-MM-DD"}, ""},
		{"incidents, bad bbox (the API's refusal)", "/incidents?bbox=1,2", analyst, 400, []string{"bbox: must be"}, ""},
		{"incidents, bad status (the API's refusal)", "/incidents?status=maybe", analyst, 400, []string{"status: must be"}, ""},
		{"incident, analyst", inc, analyst, 200, []string{"Observations", "included in the latest checkpoint", "<svg"}, ""},
		{"incident, public: not released", inc, "", 404, nil, ""},
		{"incident, observer: not released", inc, observer, 404, nil, ""},
		{"incident, unknown", "/incidents/00000000-0000-0000-0000-000000000000", analyst, 404, nil, ""},
		{"incident, an id too long", "/incidents/" + strings.Repeat("a", 300), analyst, 404, nil, ""},
		{"incident, bad token", inc, "truce_not-a-token", 401, []string{`href="/signin"`}, ""},
		{"ledger", "/ledger", "", 200, []string{"Tree size", "web.test/log", "valid, by the log", "truce verify"}, ""},
		{"sign-in form", "/signin", "", 200, []string{`name="token"`}, ""},
		{"stylesheet", "/static/style.css", "", 200, []string{"--ink"}, ""},
		{"not a page", "/static/nothing.css", "", 404, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := fx.get(t, tt.path, bearer(tt.token))
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d; body:\n%.2000s", resp.StatusCode, tt.status, body)
			}
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("body has no %q", s)
				}
			}
			if tt.location != "" && resp.Header.Get("Location") != tt.location {
				t.Errorf("Location %q, want %q", resp.Header.Get("Location"), tt.location)
			}
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
					t.Errorf("CSP %q", csp)
				}
				if tt.token != "" && resp.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("a signed-in page is cacheable: %q", resp.Header.Get("Cache-Control"))
				}
			}
		})
	}
}

// TestIncidentPaging follows the listing's next link: the second page
// holds other incidents than the first.
func TestIncidentPaging(t *testing.T) {
	fx := shared(t)
	h := bearer(fx.tokens[auth.Analyst])
	_, first := fx.get(t, "/incidents", h)
	next := regexp.MustCompile(`href="(/incidents\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(first)
	if next == nil {
		t.Fatal("no next link on the first page")
	}
	resp, second := fx.get(t, strings.ReplaceAll(next[1], "&amp;", "&"), h)
	if resp.StatusCode != 200 {
		t.Fatalf("second page: %d", resp.StatusCode)
	}
	links := regexp.MustCompile(`<th scope="row"><a href="/incidents/([0-9a-f-]{36})"`)
	seen := map[string]bool{}
	for _, m := range links.FindAllStringSubmatch(first, -1) {
		seen[m[1]] = true
	}
	n := 0
	for _, m := range links.FindAllStringSubmatch(second, -1) {
		if seen[m[1]] {
			t.Errorf("incident %s on both pages", m[1])
		}
		n++
	}
	if n == 0 || !strings.Contains(second, "First page") {
		t.Errorf("second page: %d incidents, first-page link %v", n, strings.Contains(second, "First page"))
	}
}

// TestSignIn signs in through the form, then reads an incident page with
// the session cookie alone, then signs out.
func TestSignIn(t *testing.T) {
	fx := shared(t)
	form := func(token, next string) io.Reader {
		return strings.NewReader(url.Values{"token": {token}, "next": {next}}.Encode())
	}
	post := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": fx.url}
	resp, body := fx.do(t, "POST", "/signin", form(fx.tokens[auth.Analyst], "/incidents/"+fx.incident), post)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/incidents/"+fx.incident {
		t.Fatalf("sign-in: %d %q\n%.1000s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "truce_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" || session.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP", session)
	}
	if session.Value != fx.tokens[auth.Analyst] {
		t.Error("the cookie does not hold the token")
	}
	resp, body = fx.get(t, "/incidents/"+fx.incident, nil, session)
	if resp.StatusCode != 200 || !strings.Contains(body, "Sign out") || !strings.Contains(body, "Observations") {
		t.Fatalf("incident with the session: %d", resp.StatusCode)
	}
	// The header says as whom, from GET /api/v1/me, in the page's language.
	for _, tt := range []struct{ lang, want string }{
		{"en", "Signed in: Analyst, Mission"},
		{"uk", "Ви увійшли: Аналітик, Mission"},
		{"ru", "Вы вошли: Аналитик, Mission"},
	} {
		_, body = fx.get(t, "/ledger?lang="+tt.lang, nil, session)
		who := find(parse(t, body), "span", "class", "who")
		if who == nil || who.text != tt.want {
			t.Errorf("%s: the header's signed-in line: got %+v, want %q", tt.lang, who, tt.want)
		}
	}

	// Sign out clears the cookie.
	resp, _ = fx.do(t, "POST", "/signout", nil, map[string]string{"Origin": fx.url}, session)
	cleared := false
	for _, c := range resp.Cookies() {
		cleared = cleared || (c.Name == "truce_session" && c.MaxAge < 0 && c.Value == "")
	}
	if resp.StatusCode != http.StatusSeeOther || !cleared {
		t.Errorf("sign-out: %d, cleared %v", resp.StatusCode, cleared)
	}
}

// TestSignInRefusals checks the form's refusals: unknown and malformed
// tokens, cross-site posts (CSRF), redirects off the site.
func TestSignInRefusals(t *testing.T) {
	fx := shared(t)
	form := func(token, next string) io.Reader {
		return strings.NewReader(url.Values{"token": {token}, "next": {next}}.Encode())
	}
	ctype := "application/x-www-form-urlencoded"
	tests := []struct {
		name, token, next string
		header            map[string]string
		status            int
		location          string
	}{
		{"unknown token", "truce_unknown", "/", map[string]string{"Origin": fx.url}, 401, ""},
		{"malformed token", "two words", "/", map[string]string{"Origin": fx.url}, 400, ""},
		{"empty token", "", "/", map[string]string{"Origin": fx.url}, 400, ""},
		{"long token", strings.Repeat("x", 201), "/", map[string]string{"Origin": fx.url}, 400, ""},
		{"a form over 4 KB", strings.Repeat("x", 10000), "/", map[string]string{"Origin": fx.url}, 400, ""},
		{"another site's form", fx.tokens[auth.Analyst], "/", map[string]string{"Origin": "https://evil.example"}, 403, ""},
		{"another site, by fetch metadata", fx.tokens[auth.Analyst], "/", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": fx.url}, 403, ""},
		{"redirect off the site", fx.tokens[auth.Analyst], "//evil.example/", map[string]string{"Origin": fx.url}, 303, "/"},
		{"redirect to a URL", fx.tokens[auth.Analyst], "https://evil.example/", map[string]string{"Origin": fx.url}, 303, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Content-Type": ctype}
			for k, v := range tt.header {
				h[k] = v
			}
			resp, body := fx.do(t, "POST", "/signin", form(tt.token, tt.next), h)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%.1000s", resp.StatusCode, tt.status, body)
			}
			if tt.location != "" && resp.Header.Get("Location") != tt.location {
				t.Errorf("Location %q, want %q", resp.Header.Get("Location"), tt.location)
			}
			if tt.status != 303 {
				for _, c := range resp.Cookies() {
					if c.Name == "truce_session" {
						t.Errorf("a refused sign-in set the cookie")
					}
				}
			}
		})
	}
	// Sign-out refuses a cross-site post too.
	if resp, _ := fx.do(t, "POST", "/signout", nil, map[string]string{"Origin": "https://evil.example"}); resp.StatusCode != 403 {
		t.Errorf("cross-site sign-out: %d, want 403", resp.StatusCode)
	}
	// Sign-in is POST only for the form; GET shows it.
	if resp, _ := fx.get(t, "/signin?token=x", nil); resp.StatusCode != 200 {
		t.Errorf("GET /signin: %d", resp.StatusCode)
	}
}

// TestLanguages checks the language choice: ?lang= (kept in a cookie),
// the cookie, Accept-Language, else English.
func TestLanguages(t *testing.T) {
	fx := shared(t)
	tests := []struct {
		name   string
		path   string
		header map[string]string
		cookie *http.Cookie
		lang   string
		text   string
	}{
		{"default", "/", nil, nil, "en", "The ceasefire at a glance"},
		{"switch to Ukrainian", "/?lang=uk", nil, nil, "uk", "Перемир&#39;я коротко"},
		{"switch to Russian", "/ledger?lang=ru", nil, nil, "ru", "Как проверить"},
		{"unknown switch", "/?lang=de", nil, nil, "en", "Dashboard"},
		{"cookie", "/ledger", nil, &http.Cookie{Name: "truce_lang", Value: "uk"}, "uk", "Як перевірити"},
		{"Accept-Language", "/", map[string]string{"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"}, nil, "ru", "Перемирие вкратце"},
		{"Accept-Language by weight", "/", map[string]string{"Accept-Language": "de;q=1, en;q=0.2, uk;q=0.7"}, nil, "uk", "Огляд"},
		{"Accept-Language without ours", "/", map[string]string{"Accept-Language": "de-DE"}, nil, "en", "Dashboard"},
		{"switch beats the cookie", "/?lang=en", nil, &http.Cookie{Name: "truce_lang", Value: "ru"}, "en", "Dashboard"},
		{"Ukrainian dates and numbers", "/?lang=uk", nil, nil, "uk", "1 червня 2025"},
		{"Ukrainian sign-in", "/signin?lang=uk", nil, nil, "uk", "Увійти за токеном"},
		{"Ukrainian report", "/reports/daily/2025-06-01?lang=uk", nil, nil, "uk", "<h2 id=\"air\">Повітряні атаки</h2>"},
		{"Russian report by Accept-Language", "/reports/daily/2025-06-01", map[string]string{"Accept-Language": "ru"}, nil, "ru", "дронов запущено"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cookies []*http.Cookie
			if tt.cookie != nil {
				cookies = append(cookies, tt.cookie)
			}
			resp, body := fx.get(t, tt.path, tt.header, cookies...)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if html := find(parse(t, body), "html", "", ""); html == nil || html.attrs["lang"] != tt.lang {
				t.Errorf("html lang = %v, want %s", html.attrs, tt.lang)
			}
			if !strings.Contains(body, tt.text) {
				t.Errorf("no %q", tt.text)
			}
			if q, _ := url.ParseQuery(strings.SplitN(tt.path+"?", "?", 2)[1]); q.Get("lang") == tt.lang {
				kept := false
				for _, c := range resp.Cookies() {
					kept = kept || (c.Name == "truce_lang" && c.Value == tt.lang && c.HttpOnly)
				}
				if !kept {
					t.Errorf("the switch to %s is not kept in a cookie", tt.lang)
				}
			}
		})
	}
	// Thousands are grouped the language's way.
	_, en := fx.get(t, "/incidents?lang=en", bearer(fx.tokens[auth.Analyst]))
	_, uk := fx.get(t, "/incidents?lang=uk", bearer(fx.tokens[auth.Analyst]))
	if !strings.Contains(en, "Incidents") || !strings.Contains(uk, "Інциденти") {
		t.Error("the incidents page is not translated")
	}
}

// TestAccessibility checks every page for the structure assistive
// technology relies on.
func TestAccessibility(t *testing.T) {
	fx := shared(t)
	analyst := fx.tokens[auth.Analyst]
	pages := []struct{ path, token string }{
		{"/", ""}, {"/?lang=uk", ""}, {"/reports/daily/2025-06-01", ""}, {"/reports/daily/2025-06-01?lang=uk", analyst},
		{"/reports/daily/2025-06-01?lang=ru", ""}, {"/incidents", analyst},
		{"/incidents/" + fx.incident, analyst}, {"/ledger", ""}, {"/signin", ""}, {"/reports/daily/junk", ""},
	}
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			_, body := fx.get(t, p.path, bearer(p.token))
			els := parse(t, body)
			if h := find(els, "html", "", ""); h == nil || h.attrs["lang"] == "" {
				t.Error("no html lang")
			}
			if ti := find(els, "title", "", ""); ti == nil || strings.TrimSpace(ti.text) == "" {
				t.Error("no title")
			}
			var h1, mains int
			last := 0
			ids := map[string]bool{}
			labels := map[string]bool{}
			for _, e := range els {
				if id := e.attrs["id"]; id != "" {
					if ids[id] {
						t.Errorf("id %q twice", id)
					}
					ids[id] = true
				}
				if e.name == "label" {
					labels[e.attrs["for"]] = true
				}
				if e.name == "main" {
					mains++
				}
				if len(e.name) == 2 && e.name[0] == 'h' && e.name[1] >= '1' && e.name[1] <= '6' {
					n, _ := strconv.Atoi(e.name[1:])
					if n == 1 {
						h1++
					}
					if n > last+1 {
						t.Errorf("heading %s %q after h%d", e.name, strings.TrimSpace(e.text), last)
					}
					last = n
				}
			}
			if h1 != 1 {
				t.Errorf("%d h1, want 1", h1)
			}
			if mains != 1 {
				t.Errorf("%d main elements, want 1", mains)
			}
			// The skip link is the first link and points at the main content.
			first := find(els, "a", "", "")
			if first == nil || first.attrs["href"] != "#main" || !ids["main"] {
				t.Errorf("the first link is not a skip link to #main: %v", first)
			}
			for _, e := range els {
				switch e.name {
				case "input", "select", "textarea":
					if e.attrs["type"] == "hidden" {
						continue
					}
					if !labels[e.attrs["id"]] {
						t.Errorf("%s %q has no label", e.name, e.attrs["name"])
					}
				case "svg":
					if e.attrs["role"] != "img" || e.attrs["aria-label"] == "" && e.attrs["aria-labelledby"] == "" {
						t.Errorf("svg without role=img and aria-label: %v", e.attrs)
					}
				case "table":
				case "th":
					if e.attrs["scope"] == "" {
						t.Errorf("th %q without scope", strings.TrimSpace(e.text))
					}
				case "img":
					if _, ok := e.attrs["alt"]; !ok {
						t.Error("img without alt")
					}
				}
			}
			// Every svg has a title and a desc; every table a caption (the
			// daily report's own tables and maps included).
			for _, tag := range []struct{ outer, inner string }{{"svg", "<title>"}, {"svg", "<desc>"}, {"table", "<caption>"}} {
				for _, chunk := range strings.Split(body, "<"+tag.outer)[1:] {
					chunk, _, _ = strings.Cut(chunk, "</"+tag.outer+">")
					if !strings.Contains(chunk, tag.inner) && !strings.Contains(chunk, strings.Replace(tag.inner, ">", " ", 1)) {
						t.Errorf("a %s without %s", tag.outer, tag.inner)
						break
					}
				}
			}
		})
	}
}

// TestPageWeight holds every page under a megabyte on the demo-sized data.
func TestPageWeight(t *testing.T) {
	fx := shared(t)
	analyst := fx.tokens[auth.Analyst]
	for _, p := range []struct{ path, token string }{
		{"/", ""}, {"/reports/daily/2025-06-01", ""}, {"/reports/daily/2025-06-01", analyst}, {"/reports/daily/2025-06-01?lang=uk", analyst},
		{"/incidents", analyst}, {"/incidents?lang=ru", analyst}, {"/incidents?by=status", analyst}, {"/incidents/" + fx.incident, analyst}, {"/ledger", ""}, {"/signin", ""},
	} {
		resp, body := fx.get(t, p.path, bearer(p.token))
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p.path, resp.StatusCode)
		}
		t.Logf("%s: %d bytes", p.path, len(body))
		if len(body) > 1<<20 {
			t.Errorf("%s weighs %d bytes, more than 1 MB", p.path, len(body))
		}
	}
}

// TestIncidentPageRoles checks what each role sees of one incident: the
// mission sees its observations and decisions; others see what the API
// releases to them.
func TestIncidentPageRoles(t *testing.T) {
	fx := shared(t)
	for _, tt := range []struct {
		role   auth.Role
		status int
		has    []string
	}{
		{auth.Analyst, 200, []string{"Observations", "No decision yet", "included in the latest checkpoint"}},
		{auth.Mediator, 200, []string{"Observations"}},
		{auth.Witness, 404, nil}, // no token for the witness in the fixture: the public
		{auth.Observer, 404, nil},
		{auth.Caseworker, 404, nil},
	} {
		resp, body := fx.get(t, "/incidents/"+fx.incident, bearer(fx.tokens[tt.role]))
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.role, resp.StatusCode, tt.status)
			continue
		}
		for _, s := range tt.has {
			if !strings.Contains(body, s) {
				t.Errorf("%s: no %q", tt.role, s)
			}
		}
	}
}

// TestLive checks the event stream the pages' script reads: the API's,
// as the session's token may read it.
func TestLive(t *testing.T) {
	fx := shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fx.url+"/live", nil)
	req.AddCookie(&http.Cookie{Name: "truce_session", Value: fx.tokens[auth.Analyst]})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first, _ := bufio.NewReader(resp.Body).ReadString('\n')
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" || first != "retry: 5000\n" {
		t.Errorf("stream: %d %q, first line %q", resp.StatusCode, resp.Header.Get("Content-Type"), first)
	}
	// A session whose token the API does not know is refused.
	r, _ := fx.get(t, "/live", nil, &http.Cookie{Name: "truce_session", Value: "truce_unknown"})
	if r.StatusCode != 401 {
		t.Errorf("unknown token: %d, want 401", r.StatusCode)
	}
}

// TestIncidentTimeline checks the incident page's timeline: one row per
// event the viewer may see (each observation listed, each decision, each
// finding) and a strip whose text alternative counts them.
func TestIncidentTimeline(t *testing.T) {
	fx := shared(t)
	for _, tt := range []struct {
		name, id, token string
		findings        bool // the page lists a finding
	}{
		{"analyst, unreleased", fx.incident, fx.tokens[auth.Analyst], false},
		{"analyst, released", fx.released, fx.tokens[auth.Analyst], true},
		{"public, released", fx.released, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := fx.get(t, "/incidents/"+tt.id, bearer(tt.token))
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			els := parse(t, body)
			if find(els, "h2", "id", "timeline-h") == nil {
				t.Fatal("no timeline section")
			}
			rows := map[string]int{}
			var times []string
			for _, e := range els {
				if kind, ok := strings.CutPrefix(e.attrs["class"], "event-"); ok && e.name == "tr" {
					rows[kind]++
					times = append(times, e.text)
				}
			}
			obsRows := 0
			if cap := find(els, "h2", "id", "obs-h"); cap != nil {
				// The observations table's rows are those with a th row
				// header after obs-h and before dec-h.
				_, rest, _ := strings.Cut(body, `id="obs-h"`)
				rest, _, _ = strings.Cut(rest, `id="dec-h"`)
				obsRows = strings.Count(rest, `<th scope="row">`)
			}
			if rows["observation"] != obsRows {
				t.Errorf("%d observation events, %d observations listed", rows["observation"], obsRows)
			}
			if tt.findings != (rows["finding"] > 0) {
				t.Errorf("finding events %d, want some: %v", rows["finding"], tt.findings)
			}
			total := rows["observation"] + rows["decision"] + rows["finding"]
			if total == 0 {
				t.Fatal("no events")
			}
			var desc string
			for i, e := range els {
				if e.name == "figure" && e.attrs["class"] == "timeline" {
					for _, d := range els[i:] {
						if d.name == "desc" {
							desc = d.text
							break
						}
					}
				}
			}
			want := fmt.Sprintf("%d observations (circles), %d decisions (squares), %d findings (diamonds)", rows["observation"], rows["decision"], rows["finding"])
			if !strings.Contains(desc, want) {
				t.Errorf("strip's desc %q lacks %q", desc, want)
			}
		})
	}
}
