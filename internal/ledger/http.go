package ledger

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Cache-Control values. Full tiles never change; the checkpoint changes as
// the log grows, and partial tiles are replaced by fuller ones.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheShort     = "public, max-age=5"
	cacheNone      = "no-store"
)

// maxPostSize bounds a posted cosigned checkpoint.
const maxPostSize = 64 << 10

// Checkpoints gives Handler the checkpoint to serve. It is declared here, by
// its only user; the store implements it.
type Checkpoints interface {
	// LatestCheckpoint returns the newest signed checkpoint note with every
	// cosignature collected for it merged in (see AddCosignatures). It returns
	// an error wrapping ErrNotFound if the log has signed no checkpoint yet.
	LatestCheckpoint(ctx context.Context) ([]byte, error)
}

// CosignatureStore keeps the witness cosignatures that Handler accepts.
type CosignatureStore interface {
	// AddCosignature stores line, a verified cosignature line of checkpoint
	// c, with the checkpoint the log signed for size c.Size. A later line by
	// the same key (name and hash) replaces an earlier one. It returns an error
	// wrapping ErrNotFound if the log keeps no checkpoint of that size and
	// root (for instance, one older than it retains).
	AddCosignature(ctx context.Context, c Checkpoint, line string) error
}

// HandlerConfig holds the dependencies of a Handler.
type HandlerConfig struct {
	// Checkpoints and Reader are required.
	Checkpoints Checkpoints
	Reader      Reader

	// Cosignatures, LogVerifier and Witness enable POST cosignature; if any is
	// nil the endpoint answers 404. Witness authenticates the request (for
	// example by its bearer token) and returns the verifier key of the witness
	// making it, or an error, which the handler answers with 403 Forbidden.
	Cosignatures CosignatureStore
	LogVerifier  note.Verifier
	Witness      func(r *http.Request) (note.Verifier, error)

	// IndexOf, if set, lets GET proof/inclusion take id=<record id> instead
	// of index=I: it returns the ledger index of the entry for that record
	// id, or an error wrapping ErrNotFound. Entry ids are public, so this
	// reveals nothing the entry bundles do not.
	IndexOf func(ctx context.Context, id string) (int64, error)

	// Logger receives internal errors, once each. Nil discards them.
	Logger *slog.Logger
}

// Handler serves a ledger over HTTP per C2SP tlog-tiles, relative to a
// prefix the caller strips (truce mounts it at /ledger/ with
// http.StripPrefix("/ledger", h)):
//
//	GET  checkpoint                    the latest checkpoint with its cosignatures (text/plain)
//	GET  tile/<L>/<N>[.p/<W>]          hash tiles (application/octet-stream)
//	GET  tile/entries/<N>[.p/<W>]      entry bundles (application/octet-stream, gzip if accepted)
//	GET  proof/inclusion?index=I&size=N    {"index":I,"size":N,"hashes":["<base64>",…]}
//	GET  proof/inclusion?id=ID&size=N      the same, by record id (if HandlerConfig.IndexOf is set)
//	GET  proof/consistency?from=A&to=B     {"from":A,"to":B,"hashes":["<base64>",…]}
//	POST cosignature                   a witness's cosigned checkpoint; 204 No Content
//
// Full tiles are served with "Cache-Control: public, max-age=31536000,
// immutable"; the checkpoint, partial tiles and proofs with a max-age of 5
// seconds. A tile, bundle or proof beyond the latest checkpoint's size is
// 404. Proof hashes are RFC 6962 node hashes in standard base64, in the
// order of RFC 6962 (and tlog.RecordProof / tlog.TreeProof). Errors are JSON,
// {"error":{"code":"invalid"|"not_found"|"forbidden"|"internal","message":"…"}}.
//
// The body of POST cosignature is the checkpoint note as served, with the
// witness's cosignature line (see Cosign) added; it must carry the log's own
// signature, so the server can tell which checkpoint is cosigned.
type Handler struct {
	cfg HandlerConfig
	log *slog.Logger
	mux *http.ServeMux
	gz  sync.Pool // of *gzip.Writer
}

// NewHandler returns a Handler serving the ledger described by cfg.
func NewHandler(cfg HandlerConfig) *Handler {
	h := &Handler{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.mux.HandleFunc("GET /checkpoint", h.serveCheckpoint)
	h.mux.HandleFunc("GET /tile/", h.serveTile)
	h.mux.HandleFunc("GET /proof/inclusion", h.serveInclusion)
	h.mux.HandleFunc("GET /proof/consistency", h.serveConsistency)
	h.mux.HandleFunc("POST /cosignature", h.serveCosignature)
	return h
}

// ServeHTTP serves a request whose path is relative to the ledger's prefix,
// with or without a leading slash.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/") {
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = "/" + u.Path
		u.RawPath = ""
		r2.URL = &u
		r = r2
	}
	h.mux.ServeHTTP(w, r)
}

// errForbidden marks an error from HandlerConfig.Witness.
var errForbidden = errors.New("forbidden")

// writeError turns err into a status code and a JSON body, logging internal
// errors. It is the only place that does so.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := http.StatusInternalServerError, "internal"
	msg := "internal error"
	switch {
	case errors.Is(err, ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", err.Error()
	case errors.Is(err, ErrInvalid), errors.Is(err, ErrSignature):
		status, code, msg = http.StatusBadRequest, "invalid", err.Error()
	case errors.Is(err, errForbidden):
		status, code, msg = http.StatusForbidden, "forbidden", err.Error()
	default:
		h.log.ErrorContext(r.Context(), "ledger request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	}
	w.Header().Set("Cache-Control", cacheNone)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// latest returns the latest checkpoint note and its size.
func (h *Handler) latest(ctx context.Context) ([]byte, int64, error) {
	cp, err := h.cfg.Checkpoints.LatestCheckpoint(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("ledger: latest checkpoint: %w", err)
	}
	size, err := CheckpointSize(cp)
	if err != nil {
		return nil, 0, fmt.Errorf("ledger: latest checkpoint: %v", err) // the store's fault: internal
	}
	return cp, size, nil
}

func (h *Handler) serveCheckpoint(w http.ResponseWriter, r *http.Request) {
	cp, _, err := h.latest(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", cacheShort)
	w.Write(cp)
}

func (h *Handler) serveTile(w http.ResponseWriter, r *http.Request) {
	t, err := ParseTilePath(strings.TrimPrefix(r.URL.Path, "/"))
	if err != nil {
		h.writeError(w, r, fmt.Errorf("%w (%w)", err, ErrNotFound))
		return
	}
	_, size, err := h.latest(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	data, err := TileData(r.Context(), h.cfg.Reader, t, size)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if t.W == TileWidth {
		w.Header().Set("Cache-Control", cacheImmutable)
	} else {
		w.Header().Set("Cache-Control", cacheShort)
	}
	if t.L < 0 {
		w.Header().Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			w.Header().Set("Content-Encoding", "gzip")
			zw, ok := h.gz.Get().(*gzip.Writer)
			if !ok {
				zw, _ = gzip.NewWriterLevel(w, gzip.BestSpeed) // the level is valid.
			}
			zw.Reset(w)
			zw.Write(data)
			zw.Close()
			h.gz.Put(zw)
			return
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for enc := range strings.SplitSeq(v, ",") {
			enc, q, _ := strings.Cut(strings.TrimSpace(enc), ";")
			if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
				return true
			}
		}
	}
	return false
}

// InclusionProofJSON is the body of GET proof/inclusion.
type InclusionProofJSON struct {
	Index  int64       `json:"index"`
	Size   int64       `json:"size"`
	Hashes []tlog.Hash `json:"hashes"` // base64
}

// ConsistencyProofJSON is the body of GET proof/consistency.
type ConsistencyProofJSON struct {
	From   int64       `json:"from"`
	To     int64       `json:"to"`
	Hashes []tlog.Hash `json:"hashes"` // base64
}

// queryInt parses a non-negative integer query parameter.
func queryInt(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("ledger: query parameter %s=%q: want a non-negative integer: %w", name, s, ErrInvalid)
	}
	return v, nil
}

func (h *Handler) serveInclusion(w http.ResponseWriter, r *http.Request) {
	var index int64
	var err error
	if id := r.URL.Query().Get("id"); id != "" && h.cfg.IndexOf != nil {
		index, err = h.cfg.IndexOf(r.Context(), id)
		if err != nil {
			err = fmt.Errorf("ledger: inclusion proof of id %q: %w", id, err)
		}
	} else {
		index, err = queryInt(r, "index")
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	size, err := queryInt(r, "size")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.checkSize(r.Context(), size); err != nil {
		h.writeError(w, r, err)
		return
	}
	p, err := InclusionProof(r.Context(), h.cfg.Reader, index, size)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, InclusionProofJSON{Index: index, Size: size, Hashes: nonNil(p)})
}

func (h *Handler) serveConsistency(w http.ResponseWriter, r *http.Request) {
	from, err := queryInt(r, "from")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	to, err := queryInt(r, "to")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.checkSize(r.Context(), to); err != nil {
		h.writeError(w, r, err)
		return
	}
	p, err := ConsistencyProof(r.Context(), h.cfg.Reader, from, to)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, ConsistencyProofJSON{From: from, To: to, Hashes: nonNil(p)})
}

func nonNil(p []tlog.Hash) []tlog.Hash {
	if p == nil {
		return []tlog.Hash{}
	}
	return p
}

// checkSize returns an error wrapping ErrNotFound if size is beyond the
// latest checkpoint.
func (h *Handler) checkSize(ctx context.Context, size int64) error {
	_, latest, err := h.latest(ctx)
	if err != nil {
		return err
	}
	if size > latest {
		return fmt.Errorf("ledger: size %d is beyond the latest checkpoint's %d: %w", size, latest, ErrNotFound)
	}
	return nil
}

func (h *Handler) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", cacheShort)
	json.NewEncoder(w).Encode(v)
}

func (h *Handler) serveCosignature(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Cosignatures == nil || h.cfg.LogVerifier == nil || h.cfg.Witness == nil {
		h.writeError(w, r, fmt.Errorf("ledger: this server accepts no cosignatures: %w", ErrNotFound))
		return
	}
	witness, err := h.cfg.Witness(r)
	if err != nil {
		h.writeError(w, r, fmt.Errorf("ledger: cosignature: %v: %w", err, errForbidden))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPostSize+1))
	if err != nil {
		h.writeError(w, r, fmt.Errorf("ledger: cosignature: read body: %v: %w", err, ErrInvalid))
		return
	}
	if len(body) > maxPostSize {
		h.writeError(w, r, fmt.Errorf("ledger: cosignature: body larger than %d bytes: %w", maxPostSize, ErrInvalid))
		return
	}
	c, line, err := AcceptCosignature(body, h.cfg.LogVerifier, witness)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.cfg.Cosignatures.AddCosignature(r.Context(), c, line); err != nil {
		h.writeError(w, r, fmt.Errorf("ledger: cosignature of size %d: %w", c.Size, err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
