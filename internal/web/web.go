// Package web serves truce's pages. For now: the front page, which points
// to the daily report, the ledger and the API. Templates are embedded.
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/mod/sumdb/note"

	"truce/internal/ledger"
)

//go:embed templates/*.html
var templates embed.FS

// Checkpoints gives the latest signed checkpoint.
type Checkpoints interface {
	LatestCheckpoint(ctx context.Context) ([]byte, error)
}

// Config is what the pages need.
type Config struct {
	Checkpoints Checkpoints
	LogVerifier note.Verifier
	Logger      *slog.Logger
	// DefaultDay is the day the report form offers; zero means yesterday.
	DefaultDay time.Time
}

// Handler serves the pages.
type Handler struct {
	cfg   Config
	index *template.Template
	mux   *http.ServeMux
}

// NewHandler returns the pages' handler.
func NewHandler(cfg Config) (*Handler, error) {
	t, err := template.ParseFS(templates, "templates/index.html")
	if err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, index: t, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /{$}", h.serveIndex)
	h.mux.HandleFunc("GET /reports/daily", h.serveReportForm)
	return h, nil
}

// Patterns returns the patterns of the pages, for the server's mux.
func (h *Handler) Patterns() []string {
	return []string{"GET /{$}", "GET /reports/daily"}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	data := struct {
		Day        string
		Checkpoint *ledger.Checkpoint
		Root       string
	}{Day: h.cfg.DefaultDay.Format(time.DateOnly)}
	if h.cfg.DefaultDay.IsZero() {
		data.Day = time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	}
	if msg, err := h.cfg.Checkpoints.LatestCheckpoint(r.Context()); err == nil {
		if c, err := ledger.OpenCheckpoint(msg, h.cfg.LogVerifier); err == nil {
			data.Checkpoint, data.Root = &c, base64.StdEncoding.EncodeToString(c.Root[:])
		}
	}
	var b bytes.Buffer
	if err := h.index.Execute(&b, data); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "web: index", slog.Any("err", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

// serveReportForm sends the report form's day to the report's address.
func (h *Handler) serveReportForm(w http.ResponseWriter, r *http.Request) {
	day, err := time.Parse(time.DateOnly, r.URL.Query().Get("day"))
	if err != nil {
		http.Error(w, "day: must be a date, YYYY-MM-DD", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, "/api/v1/reports/daily/"+day.Format(time.DateOnly)+"?format=html", http.StatusSeeOther)
}
