package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/notify"
)

// notifyRoutes are the notifications: webhooks and the event stream
// (docs/notifications.md).
func (h *Handler) notifyRoutes() []route {
	return []route{
		{"GET", "/api/v1/events", h.eventStream, nil},
		{"POST", "/api/v1/webhooks", h.postWebhook, nil},
		{"GET", "/api/v1/webhooks", h.listWebhooks, nil},
		{"DELETE", "/api/v1/webhooks/{id}", h.deleteWebhook, nil},
		{"GET", "/api/v1/webhooks/{id}/deliveries", h.listDeliveries, nil},
	}
}

// Limits on webhooks.
const (
	maxWebhookBody     = 8 << 10
	maxWebhooksPerUser = 10
	maxWebhooks        = 1000
)

// webhookStore is the part of the store the webhook endpoints use. It is
// asked of Config.Store when a webhook endpoint is called, rather than
// added to Store, so that stores and fakes without webhooks still serve
// the rest of the API; package sqlite's store has it.
type webhookStore interface {
	CreateWebhook(ctx context.Context, w notify.Webhook, maxPerOwner, maxTotal int) error
	Webhooks(ctx context.Context, ownerID int64) ([]notify.Webhook, error)
	Webhook(ctx context.Context, id string) (notify.Webhook, error)
	DeleteWebhook(ctx context.Context, id string) error
	Deliveries(ctx context.Context, webhookID string, beforeSeq int64, limit int) ([]notify.Delivery, error)
}

func (h *Handler) webhookStore() (webhookStore, error) {
	ws, ok := h.store.(webhookStore)
	if !ok {
		return nil, errors.New("httpapi: the store keeps no webhooks")
	}
	return ws, nil
}

// webhookView is a webhook as its owner sees it; the secret only in the
// answer to its creation.
type webhookView struct {
	ID      string    `json:"id"`
	URL     string    `json:"url"`
	Types   []string  `json:"types"`
	Created time.Time `json:"created_at"`
	Secret  string    `json:"secret,omitempty"`
}

func viewWebhook(w notify.Webhook) webhookView {
	types := w.Types
	if types == nil {
		types = []string{}
	}
	return webhookView{ID: w.ID, URL: w.URL, Types: types, Created: w.Created}
}

// postWebhook registers a webhook for the caller and answers its secret,
// the only time the secret is shown.
func (h *Handler) postWebhook(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.RegisterWebhooks(u); err != nil {
		return err
	}
	ws, err := h.webhookStore()
	if err != nil {
		return err
	}
	var req struct {
		URL   *string   `json:"url"`
		Types *[]string `json:"types"`
	}
	if err := decodeStrict(w, r, maxWebhookBody, &req); err != nil {
		return err
	}
	if req.URL == nil {
		return derrors.Invalid("url", "is required")
	}
	var types []string
	if req.Types != nil {
		types = *req.Types
	}
	cleanURL, types, err := notify.ValidateWebhook(*req.URL, types)
	if err != nil {
		return err
	}
	secret, err := notify.NewSecret()
	if err != nil {
		return err
	}
	hook := notify.Webhook{ID: uuid.NewString(), OwnerID: u.ID, URL: cleanURL, Types: types, Created: h.now().UTC(), Secret: secret}
	if err := ws.CreateWebhook(r.Context(), hook, maxWebhooksPerUser, maxWebhooks); err != nil {
		return err
	}
	v := viewWebhook(hook)
	v.Secret = secret
	w.Header().Set("Location", "/api/v1/webhooks/"+hook.ID)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// listWebhooks answers the caller's own webhooks (at most
// maxWebhooksPerUser, so one page).
func (h *Handler) listWebhooks(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.RegisterWebhooks(u); err != nil {
		return err
	}
	ws, err := h.webhookStore()
	if err != nil {
		return err
	}
	for key := range r.URL.Query() {
		return derrors.Invalid(key, "unknown query parameter")
	}
	hooks, err := ws.Webhooks(r.Context(), u.ID)
	if err != nil {
		return err
	}
	page := struct {
		Items []webhookView `json:"items"`
	}{Items: []webhookView{}}
	for _, hk := range hooks {
		page.Items = append(page.Items, viewWebhook(hk))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// ownWebhook returns the webhook with the path's id if u owns it, else
// derrors.ErrNotFound.
func (h *Handler) ownWebhook(r *http.Request, u *auth.User) (webhookStore, notify.Webhook, error) {
	if err := auth.RegisterWebhooks(u); err != nil {
		return nil, notify.Webhook{}, err
	}
	ws, err := h.webhookStore()
	if err != nil {
		return nil, notify.Webhook{}, err
	}
	id := r.PathValue("id")
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return nil, notify.Webhook{}, derrors.ErrNotFound
	}
	hook, err := ws.Webhook(r.Context(), id)
	if err != nil {
		return nil, notify.Webhook{}, err
	}
	if err := auth.ManageWebhook(u, hook.OwnerID); err != nil {
		return nil, notify.Webhook{}, err
	}
	return ws, hook, nil
}

// deleteWebhook removes one of the caller's webhooks, with its queue and
// delivery log.
func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	ws, hook, err := h.ownWebhook(r, u)
	if err != nil {
		return err
	}
	if err := ws.DeleteWebhook(r.Context(), hook.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listDeliveries answers a webhook's delivery log, newest first, a page at
// a time.
func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	ws, hook, err := h.ownWebhook(r, u)
	if err != nil {
		return err
	}
	limit, before := defaultLimit, int64(0)
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "limit":
			if limit, err = parseLimit(key, v); err != nil {
				return err
			}
		case "cursor":
			b, err := base64.RawURLEncoding.DecodeString(v)
			n, perr := strconv.ParseInt(string(b), 10, 64)
			if err != nil || perr != nil || n <= 0 {
				return derrors.Invalid("cursor", "is not a cursor this server issued")
			}
			before = n
		default:
			return derrors.Invalid(key, "unknown query parameter")
		}
	}
	ds, err := ws.Deliveries(r.Context(), hook.ID, before, limit+1)
	if err != nil {
		return err
	}
	page := struct {
		Items      []notify.Delivery `json:"items"`
		NextCursor string            `json:"next_cursor,omitempty"`
	}{Items: ds}
	if page.Items == nil {
		page.Items = []notify.Delivery{}
	}
	if len(ds) > limit {
		page.Items = ds[:limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(ds[limit-1].Seq, 10)))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// eventSource is the hub's side that streams: Config.Events serves the
// stream when it is package notify's hub.
type eventSource interface {
	Subscribe(u *auth.User, lastID string) (*notify.Subscription, bool, error)
	Heartbeat() time.Duration
}

// maxLastEventID bounds the Last-Event-ID header (event ids are UUIDs).
const maxLastEventID = 64

// eventStream is the Server-Sent Events stream of the events the caller
// may see: without a token, only public ones. Each event is sent as
// "id:", "event:" (its type) and "data:" (its JSON) lines; a reconnecting
// client's Last-Event-ID gets the events it missed if the hub still holds
// them, and a "missed" event if not. Comments keep the connection alive.
func (h *Handler) eventStream(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	src, ok := h.events.(eventSource)
	if !ok {
		return derrors.ErrNotFound
	}
	lastID := r.Header.Get("Last-Event-ID")
	if len(lastID) > maxLastEventID {
		return derrors.Invalid("Last-Event-ID", "must be at most %d characters", maxLastEventID)
	}
	for key := range r.URL.Query() {
		return derrors.Invalid(key, "unknown query parameter")
	}
	sub, found, err := src.Subscribe(u, lastID)
	if errors.Is(err, notify.ErrTooManySubscribers) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusServiceUnavailable, map[string]apiError{"error": {Code: "unavailable", Message: "too many event streams are open; try again later"}})
		return nil
	}
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()

	// The server's WriteTimeout would cut the stream: clear the deadline.
	rc := http.NewResponseController(w)
	if err := rc.SetWriteDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// From here on errors cannot become statuses: a failed write means the
	// client went away, and the stream simply ends.
	if _, err := fmt.Fprint(w, "retry: 5000\n: truce events\n\n"); err != nil {
		return nil
	}
	if !found {
		if writeMissed(w) != nil {
			return nil
		}
	}
	if rc.Flush() != nil {
		return nil
	}
	beat := time.NewTicker(src.Heartbeat())
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return nil
			}
		case e, ok := <-sub.C:
			if !ok {
				return nil // the server is shutting down
			}
			if sub.Missed() && writeMissed(w) != nil {
				return nil
			}
			data, err := json.Marshal(e)
			if err != nil {
				return nil
			}
			if _, err := fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", oneLine(e.ID), oneLine(e.Type), data); err != nil {
				return nil
			}
		}
		if rc.Flush() != nil {
			return nil
		}
	}
}

// writeMissed tells a stream's reader that it missed events, which it can
// catch up on through the API.
func writeMissed(w http.ResponseWriter) error {
	_, err := fmt.Fprint(w, "event: missed\ndata: {}\n\n")
	return err
}

// oneLine keeps a field from breaking the stream's line framing.
func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return s[:i]
		}
	}
	return s
}
