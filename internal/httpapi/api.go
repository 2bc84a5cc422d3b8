// Package httpapi serves truce's JSON API under /api/v1, with /healthz,
// /metrics and the OpenAPI document. Handlers authenticate the bearer token,
// ask package auth what the caller may do, and turn every error into a
// status code in one function (errorStatus).
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/ledger"
	"truce/internal/metrics"
	"truce/internal/notify"
	"truce/internal/observation"
	"truce/internal/parties"
	"truce/internal/record"
	"truce/internal/report"
)

// Store is what the API reads.
type Store interface {
	UserByTokenHash(ctx context.Context, h [32]byte) (*auth.User, error)
	Observation(ctx context.Context, id string, scope observation.Scope) (observation.Stored, error)
	ListObservations(ctx context.Context, f observation.Filter) ([]observation.Stored, error)
	Ping(ctx context.Context) error
	ListRecords(ctx context.Context, typ string, afterSeq int64, limit int) ([]record.Stored, error)
	AppendRecord(ctx context.Context, typ, id string, authorID int64, body []byte) (record.Stored, error)
	GetRecord(ctx context.Context, typ, id string) (record.Stored, error)
	LogAccess(ctx context.Context, userID int64, typ, id string) error
	ListAirwarRecords(ctx context.Context, entryType string, afterSeq int64, limit int) ([]record.Stored, error)
	report.Records
	ledger.Reader
	ledger.Checkpoints
	ledger.CosignatureStore
}

// Writer stores accepted observations (the group committer).
type Writer interface {
	Write(ctx context.Context, recs []observation.Prepared) ([]observation.Outcome, error)
}

// Publisher takes events to notify (package notify's hub).
type Publisher interface {
	Publish(notify.Event)
}

type dropEvents struct{}

func (dropEvents) Publish(notify.Event) {}

// DefaultMaxBody is the default limit on a request body.
const DefaultMaxBody = 16 << 20

// Config is what NewHandler needs.
type Config struct {
	Store   Store
	Writer  Writer
	Logger  *slog.Logger
	Metrics *metrics.Registry
	Now     func() time.Time // the clock; time.Now if nil
	MaxBody int64            // request body limit; DefaultMaxBody if 0
	Workers int              // parallel parsing and signature checks per request; NumCPU if 0
	// LogVerifier is the ledger's checkpoint key; without it witnesses
	// cannot post cosignatures.
	LogVerifier note.Verifier
	// Incidents is the live view of incidents.
	Incidents Incidents
	// Agreements keeps the agreements incidents are judged against.
	Agreements Agreements
	// Reports draws daily reports (maps and charts).
	Reports *report.Renderer
	// Events receives what happened, for the event stream and webhooks;
	// nil drops events.
	Events Publisher
	// Locate is fusion's region lookup (incident.Config.Locate), which
	// exports replay the store with; pass the live view's.
	Locate func(lat, lon float64) (string, bool)
	// Findings keeps the parties' loop (package parties); without it
	// there are no findings, and only analysts and the mediator see
	// incidents.
	Findings Findings
	// Pseudonyms name monitors and users in released views; nil derives
	// them from an empty secret (tests only).
	Pseudonyms *parties.Pseudonyms
}

// Handler is the API.
type Handler struct {
	store      Store
	writer     Writer
	incidents  Incidents
	agreements Agreements
	reports    *report.Renderer
	locate     func(lat, lon float64) (string, bool)
	events     Publisher
	findings   Findings
	pseudonyms *parties.Pseudonyms
	log        *slog.Logger
	now        func() time.Time
	maxBody    int64
	workers    int
	mux        *http.ServeMux
	ledger     http.Handler
	reg        *metrics.Registry
	m          apiMetrics
}

type apiMetrics struct {
	requests     *metrics.Counter
	latency      *metrics.Histogram
	observations *metrics.Counter
	batchSize    *metrics.Histogram
}

// route is one endpoint; routes lists them all, so the OpenAPI test can
// hold the document to the handlers. docPaths, if set, are the OpenAPI paths
// a prefix pattern serves.
type route struct {
	method, pattern string
	handle          func(w http.ResponseWriter, r *http.Request, u *auth.User) error
	docPaths        []string
}

func (h *Handler) routes() []route {
	rs := h.coreRoutes()
	rs = append(rs, h.findingRoutes()...)
	rs = append(rs, h.notifyRoutes()...)
	return rs
}

func (h *Handler) coreRoutes() []route {
	return []route{
		{"POST", "/api/v1/observations", h.postObservations, nil},
		{"GET", "/api/v1/observations", h.listObservations, nil},
		{"GET", "/api/v1/observations/{id}", h.getObservation, nil},
		{"GET", "/api/v1/incidents", h.listIncidents, nil},
		{"GET", "/api/v1/incidents/{id}", h.getIncident, nil},
		{"GET", "/api/v1/export", h.exportIncidents, nil},
		{"POST", "/api/v1/incidents/{id}/decisions", h.postDecision, nil},
		{"GET", "/api/v1/reports/daily/{day}", h.dailyReport, nil},
		{"GET", "/api/v1/reports/air", h.airSeries, nil},
		{"POST", "/api/v1/agreements", h.postAgreement, nil},
		{"GET", "/api/v1/agreements", h.listAgreements, nil},
		{"GET", "/api/v1/agreements/{id}", h.getAgreement, nil},
		{"POST", "/api/v1/agreements/{id}/versions", h.postAgreementVersion, nil},
		{"POST", "/api/v1/persons", h.postPersons, nil},
		{"GET", "/api/v1/persons", h.listPersons, nil},
		{"POST", "/api/v1/persons/reconcile", h.reconcilePersons, nil},
		{"POST", "/api/v1/persons/{id}/caseworkers", h.assignCaseworkers, nil},
		{"POST", "/api/v1/exchanges", h.postExchange, nil},
		{"GET", "/api/v1/exchanges", h.listExchanges, nil},
		{"POST", "/api/v1/exchanges/{id}/stages", h.postExchangeStage, nil},
		{"POST", "/api/v1/children", h.postChildCase, nil},
		{"GET", "/api/v1/children", h.listChildCases, nil},
		{"GET", "/api/v1/children/counts", h.childCaseCounts, nil},
		{"GET", "/api/v1/children/{id}", h.getChildCase, nil},
		{"POST", "/api/v1/children/{id}", h.updateChildCase, nil},
		{"GET", "/api/v1/ledger/records", h.listLedgerRecords, nil},
		{"GET", "/api/v1/ledger/proof", h.recordProof, nil},
		{"GET", "/api/v1/openapi.json", h.openAPI, nil},
		{"GET", "/api/v1/me", h.me, nil},
		{"GET", "/healthz", h.healthz, nil},
		{"GET", "/metrics", h.metrics, nil},
		// The ledger, per C2SP tlog-tiles, served by package ledger.
		{"GET", "/ledger/checkpoint", h.serveLedger, nil},
		{"GET", "/ledger/tile/", h.serveLedger, []string{"/ledger/tile/{L}/{N}", "/ledger/tile/entries/{N}"}},
		{"GET", "/ledger/proof/inclusion", h.serveLedger, nil},
		{"GET", "/ledger/proof/consistency", h.serveLedger, nil},
		{"POST", "/ledger/cosignature", h.postCosignature, nil},
	}
}

// NewHandler returns the API handler.
func NewHandler(cfg Config) *Handler {
	h := &Handler{
		store: cfg.Store, writer: cfg.Writer, incidents: cfg.Incidents, agreements: cfg.Agreements, reports: cfg.Reports, locate: cfg.Locate, log: cfg.Logger, now: cfg.Now,
		maxBody: cfg.MaxBody, workers: cfg.Workers, mux: http.NewServeMux(),
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.events = cfg.Events
	if h.events == nil {
		h.events = dropEvents{}
	}
	h.findings, h.pseudonyms = cfg.Findings, cfg.Pseudonyms
	if h.findings == nil {
		h.findings = noFindings{}
	}
	if h.pseudonyms == nil {
		h.pseudonyms = parties.NewPseudonyms(nil)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBody
	}
	if h.workers <= 0 {
		h.workers = runtime.NumCPU()
	}
	h.ledger = http.StripPrefix("/ledger", ledger.NewHandler(ledger.HandlerConfig{
		Checkpoints: cfg.Store, Reader: cfg.Store, Cosignatures: cfg.Store,
		LogVerifier: cfg.LogVerifier, Witness: h.witness, Logger: h.log,
	}))
	reg := cfg.Metrics
	if reg == nil {
		reg = metrics.New()
	}
	h.reg = reg
	h.m = apiMetrics{
		requests: reg.Counter("truce_http_requests_total", "HTTP requests by route and status code.", "route", "code"),
		latency: reg.Histogram("truce_http_request_duration_seconds", "HTTP request latency by route.",
			[]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}, "route"),
		observations: reg.Counter("truce_observations_total", "Observations received, by outcome (created, duplicate, conflict, rejected).", "outcome"),
		batchSize: reg.Histogram("truce_observation_batch_size", "Observations per intake request.",
			[]float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 50000}),
	}
	for _, rt := range h.routes() {
		h.mux.Handle(rt.method+" "+rt.pattern, h.wrap(rt))
	}
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, derrors.ErrNotFound)
	})
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// wrap authenticates the request, runs the route and records its metrics.
func (h *Handler) wrap(rt route) http.Handler {
	name := rt.method + " " + rt.pattern
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		u, err := h.authenticate(r)
		if err == nil {
			err = rt.handle(sw, r, u)
		}
		if err != nil {
			h.writeError(sw, r, err)
		}
		h.m.requests.Add(1, name, strconv.Itoa(sw.status))
		h.m.latency.Observe(time.Since(start).Seconds(), name)
	})
}

// authenticate returns the token's user, nil for a request without a token,
// or ErrUnauthenticated for a token that is malformed or unknown.
func (h *Handler) authenticate(r *http.Request) (*auth.User, error) {
	v := r.Header.Get("Authorization")
	if v == "" {
		return nil, nil
	}
	token, ok := strings.CutPrefix(v, "Bearer ")
	if !ok || token == "" || len(token) > 200 {
		return nil, derrors.ErrUnauthenticated
	}
	u, err := h.store.UserByTokenHash(r.Context(), auth.HashToken(token))
	if err != nil {
		if errors.Is(err, derrors.ErrNotFound) {
			return nil, derrors.ErrUnauthenticated
		}
		return nil, err
	}
	return u, nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (h *Handler) healthz(w http.ResponseWriter, r *http.Request, _ *auth.User) error {
	if err := h.store.Ping(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (h *Handler) metrics(w http.ResponseWriter, r *http.Request, _ *auth.User) error {
	h.reg.ServeHTTP(w, r)
	return nil
}

func (h *Handler) serveLedger(w http.ResponseWriter, r *http.Request, _ *auth.User) error {
	h.ledger.ServeHTTP(w, r)
	return nil
}

// postCosignature refuses non-witnesses here, so that they get the same
// answers as everywhere else, and leaves checking the cosignature to the
// ledger's handler.
func (h *Handler) postCosignature(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.CosignCheckpoints(u); err != nil {
		return err
	}
	return h.serveLedger(w, r, u)
}

// witness authenticates a cosignature post: the token must be a witness's,
// and its registered key is the one the cosignature must verify against.
func (h *Handler) witness(r *http.Request) (note.Verifier, error) {
	u, err := h.authenticate(r)
	if err != nil {
		return nil, err
	}
	if err := auth.CosignCheckpoints(u); err != nil {
		return nil, err
	}
	return ledger.NewWitnessVerifier(u.WitnessKey)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
