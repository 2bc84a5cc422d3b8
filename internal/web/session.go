package web

import (
	"net/http"
	"net/url"
	"strings"

	"truce/internal/region"
)

// sessionCookie holds the viewer's bearer token itself. It is HttpOnly (no
// script reads it), SameSite=Strict (no other site's page sends it), Secure
// when the request came over TLS, and lasts until the browser closes or
// the viewer signs out. The server keeps no session state: the token is
// already a 256-bit secret the server stores only hashed, and the cookie
// is exactly as secret as the token. Revoking the token ends the session.
const sessionCookie = "truce_session"

// maxTokenLen bounds a token, as the API does.
const maxTokenLen = 200

// viewer is who is looking at a page and in which language.
type viewer struct {
	// token is the viewer's bearer token ("" for the public), from the
	// Authorization header or the session cookie.
	token string
	// Session says whether the token came from the session cookie, so
	// the page offers to sign out.
	Session bool
	Lang    string
	// Me is who the token belongs to, as GET /api/v1/me answers; nil for
	// the public or a token the API does not know.
	Me      *me
	cat     catalogues
	regions map[string]region.Subdivision
}

// SignedIn reports whether the viewer presented a token.
func (v *viewer) SignedIn() bool { return v.token != "" }

// me is a token's user as GET /api/v1/me answers.
type me struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Org  string `json:"org"`
}

// Who says in the viewer's language as whom they are signed in ("Analyst,
// Mission"), or "" when the API did not say.
func (v *viewer) Who() string {
	if v.Me == nil {
		return ""
	}
	return v.T("nav.signedin.as", v.T("role."+v.Me.Role), v.Me.Org)
}

// whoAmI asks the API whose the viewer's token is; it leaves v.Me nil for
// the public and for a token the API refuses.
func (h *Handler) whoAmI(r *http.Request, v *viewer) {
	if v.token == "" {
		return
	}
	var m me
	if err := h.getJSON(r, v.token, "/api/v1/me", &m); err == nil {
		v.Me = &m
	}
}

func (h *Handler) viewer(w http.ResponseWriter, r *http.Request) *viewer {
	v := &viewer{Lang: chooseLang(w, r), cat: h.cat, regions: h.regions}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		v.token = tok
	} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" && len(c.Value) <= maxTokenLen {
		v.token, v.Session = c.Value, true
	}
	return v
}

// signInData is the sign-in form's data.
type signInData struct {
	Next  string
	Error string // a catalogue key
}

func (h *Handler) serveSignInForm(w http.ResponseWriter, r *http.Request, v *viewer) (view, error) {
	return view{name: "signin", title: v.T("signin.title"), data: signInData{Next: localPath(r.URL.Query().Get("next"))}}, nil
}

// serveSignIn checks the token through the API and, if the API knows it,
// keeps it in the session cookie. The mux wraps it in the standard
// library's cross-origin protection: a POST another site's page makes is
// refused (Sec-Fetch-Site, else Origin against Host), besides the cookie's
// SameSite=Strict.
func (h *Handler) serveSignIn(w http.ResponseWriter, r *http.Request, v *viewer) (view, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		return view{}, &pageError{status: http.StatusBadRequest, Key: "error.badform"}
	}
	next := localPath(r.PostForm.Get("next"))
	token := strings.TrimSpace(r.PostForm.Get("token"))
	form := func(status int, key string) (view, error) {
		return view{name: "signin", status: status, title: v.T("signin.title"), data: signInData{Next: next, Error: key}}, nil
	}
	if token == "" || len(token) > maxTokenLen || strings.ContainsAny(token, " \t\r\n") {
		return form(http.StatusBadRequest, "signin.malformed")
	}
	// GET /api/v1/me answers 200 for any token the API knows and 401
	// for any other.
	st, _ := h.api(r, token, "/api/v1/me")
	switch {
	case st == http.StatusUnauthorized:
		return form(http.StatusUnauthorized, "signin.unknown")
	case st != http.StatusOK:
		return view{}, &pageError{status: http.StatusBadGateway, Key: "error.api"}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return view{}, errHandled
}

// serveSignOut clears the session cookie.
func (h *Handler) serveSignOut(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// localPath returns p if it is a path on this site, else "/": sign-in
// never redirects elsewhere.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || len(p) > 2000 {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return p
}

// signInRedirect sends a viewer the API refused for want of a token to the
// sign-in form, to come back here after.
func signInRedirect(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	return errHandled
}

// serveLive is the API's event stream (GET /api/v1/events) as the viewer
// may read it: the session cookie's token becomes the bearer token, which
// a browser's EventSource cannot send. It is read-only, and the cookie is
// SameSite=Strict, so no other site's page can open it as the viewer.
func (h *Handler) serveLive(w http.ResponseWriter, r *http.Request) {
	v := h.viewer(w, r)
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/api/v1/events", nil)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	req.RemoteAddr, req.Host = r.RemoteAddr, r.Host
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		req.Header.Set("Last-Event-ID", id)
	}
	if v.token != "" {
		req.Header.Set("Authorization", "Bearer "+v.token)
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	h.cfg.API.ServeHTTP(w, req)
}
