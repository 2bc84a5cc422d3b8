package httpapi

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/fusion"
	"truce/internal/incident"
)

// Incidents is the live view of incidents.
type Incidents interface {
	List(ctx context.Context, q fusion.Query) ([]incident.Incident, bool, error)
	Get(ctx context.Context, id string) (incident.Incident, error)
	// IncidentOf returns the incident holding an observation (findings
	// and allegations follow their incident through it).
	IncidentOf(ctx context.Context, obsID string) (incident.Incident, error)
	Decide(ctx context.Context, id string, d incident.Decision, authorID int64) (incident.Incident, error)
}

// listIncidents lists the incidents u may see, each as u may see it
// (incidentFor): analysts and the mediator page through the live view;
// everyone else, the public included, through the incidents released to
// them.
func (h *Handler) listIncidents(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	q, err := parseIncidentQuery(r)
	if err != nil {
		return err
	}
	var items []incidentJSON
	var more bool
	if auth.ReadIncidents(u) == nil {
		incs, m, err := h.incidents.List(r.Context(), q)
		if err != nil {
			return err
		}
		more = m
		for _, inc := range incs {
			v, _ := h.incidentView(u, inc)
			items = append(items, v)
		}
	} else if items, more, err = h.releasedIncidents(r.Context(), u, q); err != nil {
		return err
	}
	page := struct {
		Items      []incidentJSON `json:"items"`
		NextCursor string         `json:"next_cursor,omitempty"`
	}{Items: items}
	if page.Items == nil {
		page.Items = []incidentJSON{}
	}
	if more {
		last := items[len(items)-1]
		page.NextCursor = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "i1:%d:%s", last.Start.UnixNano(), last.ID))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func parseIncidentQuery(r *http.Request) (fusion.Query, error) {
	q := fusion.Query{Limit: defaultLimit}
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		var err error
		switch key {
		case "from":
			q.From, err = parseTime(key, v)
		case "to":
			q.To, err = parseTime(key, v)
		case "bbox":
			q.BBox, err = parseBBox(v)
		case "domain":
			q.Domain, err = parseDomain(key, v)
		case "kind":
			q.Kind, err = parseKind(key, v)
		case "status":
			q.Status = incident.Status(v)
			if !incident.ValidStatus(q.Status) {
				err = derrors.Invalid(key, "must be one of %v", incident.Statuses())
			}
		case "region":
			q.Region = v
		case "limit":
			q.Limit, err = parseLimit(key, v)
		case "cursor":
			q.After, err = decodeIncidentCursor(v)
		default:
			err = derrors.Invalid(key, "unknown query parameter")
		}
		if err != nil {
			return q, err
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, derrors.Invalid("to", "must be after from")
	}
	return q, nil
}

// parseBBox reads "min_lon,min_lat,max_lon,max_lat" (the GeoJSON order).
func parseBBox(v string) (*[4]float64, error) {
	bad := derrors.Invalid("bbox", "must be min_lon,min_lat,max_lon,max_lat in degrees")
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return nil, bad
	}
	var b [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f != f {
			return nil, bad
		}
		b[i] = f
	}
	if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > b[2] || b[1] > b[3] {
		return nil, bad
	}
	return &b, nil
}

func decodeIncidentCursor(s string) (*fusion.Position, error) {
	bad := derrors.Invalid("cursor", "is not a cursor this server issued")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	parts := strings.SplitN(string(b), ":", 3)
	if len(parts) != 3 || parts[0] != "i1" {
		return nil, bad
	}
	ns, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return nil, bad
	}
	return &fusion.Position{Start: time.Unix(0, ns).UTC(), ID: parts[2]}, nil
}

// getIncident answers one incident as u may see it, with who reported it;
// an incident not released to u is not found.
func (h *Handler) getIncident(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	inc, err := h.incidents.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	obs := inc.Observations
	v, ok := h.incidentView(u, inc)
	if !ok {
		return derrors.ErrNotFound
	}
	if v.ReportedBy, err = h.reporters(r.Context(), u, obs); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// decisionRequest is the body of POST /api/v1/incidents/{id}/decisions.
type decisionRequest struct {
	Kind         incident.DecisionKind `json:"kind"`
	Incidents    []string              `json:"incidents"`    // merge: the incidents to merge into this one
	Observations []string              `json:"observations"` // split: the observations to move out
	Status       incident.Status       `json:"status"`
	AttributedTo string                `json:"attributed_to"`
	Confidence   incident.Confidence   `json:"confidence"`
	Reason       string                `json:"reason"`
}

const maxDecisionBytes = 64 << 10

func (h *Handler) postDecision(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.DecideIncidents(u); err != nil {
		return err
	}
	var req decisionRequest
	if err := decodeStrict(w, r, maxDecisionBytes, &req); err != nil {
		return err
	}
	d := incident.Decision{Kind: req.Kind, Status: req.Status, AttributedTo: req.AttributedTo, Confidence: req.Confidence,
		Reason: req.Reason, Author: u.Name, At: h.now().UTC()}
	switch req.Kind {
	case incident.Merge:
		if len(req.Incidents) == 0 {
			return derrors.Invalid("incidents", "required: the incidents to merge into this one")
		}
		for i, id := range req.Incidents {
			other, err := h.incidents.Get(r.Context(), id)
			if err != nil {
				return derrors.Invalid(fmt.Sprintf("incidents[%d]", i), "no incident %s", id)
			}
			d.Observations = append(d.Observations, other.Observations[0])
		}
	case incident.Split:
		if len(req.Observations) == 0 {
			return derrors.Invalid("observations", "required: the observations to move out")
		}
		d.Observations = req.Observations
	case incident.SetStatus, incident.Attribute:
	default:
		return derrors.Invalid("kind", "must be one of merge, split, status, attribution")
	}
	inc, err := h.incidents.Decide(r.Context(), r.PathValue("id"), d, u.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, inc)
	return nil
}
