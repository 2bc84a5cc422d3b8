// Package web serves truce's pages: the public dashboard, the daily
// report, incidents, the ledger, and signing in with a token.
//
// Pages never decide who may see what. Each reads through the JSON API
// in-process (Config.API), forwarding the viewer's token, and renders what
// the API answered with html/template; so a page shows a viewer exactly
// what the API shows that viewer, and the API's role matrix covers the
// pages too. Templates, stylesheets and the message catalogues (English,
// Ukrainian, Russian) are embedded; maps and charts are inline SVG drawn
// on the server; the pages need no script.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/mod/sumdb/note"

	"truce/internal/mapsvg"
	"truce/internal/region"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the pages need.
type Config struct {
	// API is the JSON API's handler. Pages call it in-process with the
	// viewer's token and show what it answers.
	API http.Handler
	// LogVerifier is the ledger's checkpoint key, to check the signature
	// of the checkpoint the ledger page shows; nil skips the check.
	LogVerifier note.Verifier
	// Map draws the maps (the oblast outlines); nil draws none.
	Map    *mapsvg.Base
	Logger *slog.Logger
	// DefaultDay is the last day the dashboard and the report form offer;
	// zero means yesterday.
	DefaultDay time.Time
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

// Handler serves the pages.
type Handler struct {
	cfg   Config
	log   *slog.Logger
	pages map[string]*template.Template
	cat   catalogues
	// regions are the subdivisions by code, for their names.
	regions map[string]region.Subdivision
	mux     *http.ServeMux
}

// pageNames are the page templates; each is parsed with layout.html.
var pageNames = []string{"index", "report", "incidents", "incident", "ledger", "signin", "error"}

// NewHandler returns the pages' handler.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.API == nil {
		return nil, fmt.Errorf("web: no API handler configured")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg, log: cfg.Logger, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	cat, err := loadCatalogues()
	if err != nil {
		return nil, err
	}
	h.cat = cat
	h.regions = map[string]region.Subdivision{}
	for _, s := range region.All() {
		h.regions[s.Code] = s
	}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		h.pages[name] = t
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static: %w", err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	sameOrigin := http.NewCrossOriginProtection()

	h.mux.HandleFunc("GET /{$}", h.page(h.serveIndex))
	h.mux.HandleFunc("GET /reports/daily", h.serveReportForm)
	h.mux.HandleFunc("GET /reports/daily/{day}", h.page(h.serveReport))
	h.mux.HandleFunc("GET /incidents", h.page(h.serveIncidents))
	h.mux.HandleFunc("GET /incidents/{id}", h.page(h.serveIncident))
	h.mux.HandleFunc("GET /ledger", h.page(h.serveLedger))
	h.mux.HandleFunc("GET /signin", h.page(h.serveSignInForm))
	h.mux.Handle("POST /signin", sameOrigin.Handler(h.page(h.serveSignIn)))
	h.mux.Handle("POST /signout", sameOrigin.Handler(http.HandlerFunc(h.serveSignOut)))
	h.mux.HandleFunc("GET /live", h.serveLive)
	h.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	}))
	return h, nil
}

// Patterns returns the patterns of the pages, for the server's mux.
func (h *Handler) Patterns() []string {
	return []string{
		"GET /{$}", "GET /reports/daily", "GET /reports/daily/{day}",
		"GET /incidents", "GET /incidents/{id}", "GET /ledger",
		"GET /signin", "POST /signin", "POST /signout", "GET /live", "GET /static/",
	}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// contentSecurityPolicy allows only the site's own stylesheets, forms, and
// its one script (static/live.js) with its event stream; nothing inline.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// setSecurityHeaders sets the headers every page carries.
func setSecurityHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
}

// pageFunc serves one page: it returns the template to render with its
// data and status, or an error (a *pageError, or any other for a 500).
type pageFunc func(w http.ResponseWriter, r *http.Request, v *viewer) (view, error)

// view is a rendered page's template, data and status.
type view struct {
	name   string
	status int
	title  string
	data   any
}

// pageError is an error page: its status and the message key shown.
type pageError struct {
	status int
	Key    string // the catalogue key of the message
	Detail string // the API's message, shown as given
}

func (e *pageError) Error() string { return fmt.Sprintf("web: %d %s %s", e.status, e.Key, e.Detail) }

// page adapts a pageFunc: it reads the viewer, runs the page, and renders
// the result in the layout, or the error page.
func (h *Handler) page(f pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := h.viewer(w, r)
		h.whoAmI(r, v)
		setSecurityHeaders(w)
		w.Header().Set("Vary", "Cookie, Accept-Language, Authorization")
		if v.token != "" {
			w.Header().Set("Cache-Control", "no-store")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		pv, err := f(w, r, v)
		if err == errHandled {
			return
		}
		if err != nil {
			pe, ok := err.(*pageError)
			if !ok {
				h.log.ErrorContext(r.Context(), "web: page failed", slog.String("path", r.URL.Path), slog.Any("err", err))
				pe = &pageError{status: http.StatusInternalServerError, Key: "error.internal"}
			}
			pv = view{name: "error", status: pe.status, title: v.T("error.title"), data: pe}
		}
		h.render(w, r, v, pv)
	}
}

// errHandled says that the page has already answered (a redirect).
var errHandled = fmt.Errorf("web: handled")

// layout is what the layout template reads; the page's own data is Data.
type layout struct {
	*viewer
	Title  string
	Path   string
	Langs  []langLink
	Data   any
	Status int
	Nav    string // the nav item of the page, for aria-current
	// ReportDay is the day the nav's report link shows.
	ReportDay string
	Rendered  time.Time
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, v *viewer, pv view) {
	t := h.pages[pv.name]
	if pv.status == 0 {
		pv.status = http.StatusOK
	}
	l := layout{viewer: v, Title: pv.title, Path: r.URL.Path, Langs: v.langLinks(r), Data: pv.data, Status: pv.status, Nav: pv.name,
		ReportDay: h.lastDay().Format(time.DateOnly), Rendered: h.cfg.Now().UTC()}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", l); err != nil {
		h.log.ErrorContext(r.Context(), "web: render", slog.String("page", pv.name), slog.Any("err", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(pv.status)
	w.Write(b.Bytes())
}

// funcs are the template functions that need no viewer.
var funcs = template.FuncMap{
	"deref": func(f *float64) float64 { return *f },
	"int":   func(f float64) int { return int(f) },
	"table": func(l layout, rows []incidentJSON, caption string) tableArgs {
		return tableArgs{L: l, Rows: rows, Caption: caption}
	},
}

// tableArgs is what the incidentTable template reads.
type tableArgs struct {
	L       layout
	Rows    []incidentJSON
	Caption string
}
