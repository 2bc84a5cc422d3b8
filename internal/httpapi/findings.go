package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/finding"
	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/parties"
)

// Findings keeps the findings of the parties' loop (package parties).
type Findings interface {
	Create(ctx context.Context, f finding.Finding, anchor string, author finding.Actor, authorID int64) (parties.Entry, error)
	Act(ctx context.Context, id string, a finding.Action, actor finding.Actor, authorID int64) (parties.Entry, error)
	Get(id string) (parties.Entry, error)
	On(observations []string) []parties.Entry
	List(keep func(*parties.Entry) bool, after string, limit int) ([]parties.Entry, bool, error)
}

// noFindings stands in when the handler is configured without findings:
// there are none, and none can be written.
type noFindings struct{}

func (noFindings) Create(context.Context, finding.Finding, string, finding.Actor, int64) (parties.Entry, error) {
	return parties.Entry{}, derrors.ErrNotFound
}
func (noFindings) Act(context.Context, string, finding.Action, finding.Actor, int64) (parties.Entry, error) {
	return parties.Entry{}, derrors.ErrNotFound
}
func (noFindings) Get(string) (parties.Entry, error) { return parties.Entry{}, derrors.ErrNotFound }
func (noFindings) On([]string) []parties.Entry       { return nil }
func (noFindings) List(func(*parties.Entry) bool, string, int) ([]parties.Entry, bool, error) {
	return nil, false, nil
}

// findingRoutes are the parties' loop: findings, replies and releases, and
// the parties' allegations.
func (h *Handler) findingRoutes() []route {
	return []route{
		{"POST", "/api/v1/incidents/{id}/findings", h.postFinding, nil},
		{"GET", "/api/v1/incidents/{id}/allegations", h.incidentAllegations, nil},
		{"GET", "/api/v1/findings", h.listFindings, nil},
		{"GET", "/api/v1/findings/{id}", h.getFinding, nil},
		{"POST", "/api/v1/findings/{id}/{action}", h.actOnFinding, nil},
		{"GET", "/api/v1/allegations", h.listAllegations, nil},
	}
}

const maxFindingBytes = 256 << 10

// findingRequest is the body of POST /api/v1/incidents/{id}/findings.
type findingRequest struct {
	Party        string              `json:"party"`
	Established  string              `json:"established"`
	AttributedTo string              `json:"attributed_to"`
	Confidence   incident.Confidence `json:"confidence"`
	ReplyWindow  string              `json:"reply_window"` // a Go duration such as "72h"
	PublicDelay  string              `json:"public_delay"`
}

func parseWindow(field, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, derrors.Invalid(field, "must be a duration such as 72h or 90m")
	}
	return d, nil
}

func (h *Handler) postFinding(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.WriteFindings(u); err != nil {
		return err
	}
	var req findingRequest
	if err := decodeStrict(w, r, maxFindingBytes, &req); err != nil {
		return err
	}
	inc, err := h.incidents.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	f := finding.Finding{Incident: inc.ID, Party: req.Party,
		Content: finding.Content{Established: req.Established, AttributedTo: req.AttributedTo, Confidence: req.Confidence}}
	if f.ReplyWindow, err = parseWindow("reply_window", req.ReplyWindow); err != nil {
		return err
	}
	if f.PublicDelay, err = parseWindow("public_delay", req.PublicDelay); err != nil {
		return err
	}
	if req.PublicDelay != "" && f.PublicDelay == 0 {
		f.PublicDelay = time.Second // "0s": the shortest delay (New reads 0 as the default)
	}
	e, err := h.findings.Create(r.Context(), f, inc.Observations[0], auth.FindingActor(u), u.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, h.findingView(r.Context(), u, e))
	return nil
}

// actionRequest is the body of POST /api/v1/findings/{id}/{action}; which
// fields an action takes is in actionFields.
type actionRequest struct {
	Reason       *string              `json:"reason"`
	Established  *string              `json:"established"`
	AttributedTo *string              `json:"attributed_to"`
	Confidence   *incident.Confidence `json:"confidence"`
	Text         *string              `json:"text"`
	Evidence     []string             `json:"evidence"`
	Deadline     *string              `json:"deadline"` // RFC 3339
}

var actionFields = map[finding.ActionKind][]string{
	finding.Revise:           {"reason", "established", "attributed_to", "confidence"},
	finding.Send:             {"reason"},
	finding.ReplyAction:      {"text", "evidence"},
	finding.Expire:           {"reason"},
	finding.Extend:           {"reason", "deadline"},
	finding.ReleaseObservers: {"reason"},
	finding.ReleasePublic:    {"reason"},
	finding.Withdraw:         {"reason"},
}

func (h *Handler) actOnFinding(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.ActOnFindings(u); err != nil {
		return err
	}
	kind := finding.ActionKind(r.PathValue("action"))
	allowed, ok := actionFields[kind]
	if !ok {
		return derrors.Invalid("action", "must be one of revise, send, reply, extend, release_observers, release_public, withdraw")
	}
	var req actionRequest
	if err := decodeOptional(w, r, maxFindingBytes, &req); err != nil {
		return err
	}
	given := map[string]bool{"reason": req.Reason != nil, "established": req.Established != nil, "attributed_to": req.AttributedTo != nil,
		"confidence": req.Confidence != nil, "text": req.Text != nil, "evidence": req.Evidence != nil, "deadline": req.Deadline != nil}
	for _, name := range []string{"reason", "established", "attributed_to", "confidence", "text", "evidence", "deadline"} {
		if given[name] && !slices.Contains(allowed, name) {
			return derrors.Invalid(name, "is not taken by %s", kind)
		}
	}
	a := finding.Action{Kind: kind, Reason: deref(req.Reason)}
	switch kind {
	case finding.Revise:
		a.Content = &finding.Content{Established: deref(req.Established), AttributedTo: deref(req.AttributedTo)}
		if req.Confidence != nil {
			a.Content.Confidence = *req.Confidence
		}
	case finding.ReplyAction:
		if req.Text != nil {
			a.Reply = &finding.Reply{Text: *req.Text, Evidence: req.Evidence}
		}
	case finding.Extend:
		if req.Deadline == nil {
			return derrors.Invalid("deadline", "is required: the new reply deadline")
		}
		d, err := parseTime("deadline", *req.Deadline)
		if err != nil {
			return err
		}
		a.Deadline = d.UTC()
	}
	e, err := h.findings.Act(r.Context(), r.PathValue("id"), a, auth.FindingActor(u), u.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.findingView(r.Context(), u, e))
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// decodeOptional is decodeStrict for a body that may be empty.
func decodeOptional(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonFieldError(err)
	}
	if dec.More() {
		return derrors.Invalid("body", "one JSON object expected")
	}
	return nil
}

func (h *Handler) getFinding(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	e, err := h.findings.Get(r.PathValue("id"))
	if err != nil {
		return err
	}
	if !finding.Visible(e.Finding, auth.FindingActor(u)) {
		return derrors.ErrNotFound
	}
	writeJSON(w, http.StatusOK, h.findingView(r.Context(), u, e))
	return nil
}

func (h *Handler) listFindings(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	limit, after := defaultLimit, ""
	var party string
	var state finding.State
	var anchors map[string]bool // with ?incident=: the incident's observations
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		var err error
		switch key {
		case "incident":
			anchors = map[string]bool{}
			if inc, gerr := h.incidents.Get(r.Context(), v); gerr == nil {
				for _, o := range inc.Observations {
					anchors[o] = true
				}
			}
		case "party":
			party = v
		case "state":
			state = finding.State(v)
			if !slices.Contains(finding.States(), state) {
				err = derrors.Invalid(key, "must be one of %v", finding.States())
			}
		case "limit":
			limit, err = parseLimit(key, v)
		case "cursor":
			b, derr := base64.RawURLEncoding.DecodeString(v)
			var ok bool
			if after, ok = strings.CutPrefix(string(b), "f1:"); derr != nil || !ok {
				err = derrors.Invalid(key, "is not a cursor this server issued")
			}
		default:
			err = derrors.Invalid(key, "unknown query parameter")
		}
		if err != nil {
			return err
		}
	}
	actor := auth.FindingActor(u)
	items, more, err := h.findings.List(func(e *parties.Entry) bool {
		return finding.Visible(e.Finding, actor) && (party == "" || e.Party == party) && (state == "" || e.State == state) &&
			(anchors == nil || anchors[e.Anchor])
	}, after, limit)
	if err != nil {
		return err
	}
	page := struct {
		Items      []findingJSON `json:"items"`
		NextCursor string        `json:"next_cursor,omitempty"`
	}{Items: []findingJSON{}}
	for _, e := range items {
		page.Items = append(page.Items, h.findingView(r.Context(), u, e))
	}
	if more {
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte("f1:" + items[len(items)-1].ID))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// findingJSON is a finding as the API shows it to one viewer.
type findingJSON struct {
	ID string `json:"id"`
	// Incident is the incident the finding is on now (it follows the
	// incident through fusion's regrouping); empty if it is gone.
	Incident string        `json:"incident"`
	Party    string        `json:"party"`
	State    finding.State `json:"state"`
	finding.Content
	// Author is the analyst's user id, or its pseudonym outside the mission.
	Author        string        `json:"author"`
	ReplyWindow   string        `json:"reply_window"`
	PublicDelay   string        `json:"public_delay"`
	CreatedAt     time.Time     `json:"created_at"`
	SentAt        time.Time     `json:"sent_at,omitzero"`
	Deadline      time.Time     `json:"deadline,omitzero"`
	Reply         *replyJSON    `json:"reply,omitempty"`
	ObserversAt   time.Time     `json:"observers_at,omitzero"`
	PublicDue     time.Time     `json:"public_due,omitzero"`
	PublicAt      time.Time     `json:"public_at,omitzero"`
	WithdrawnFrom finding.State `json:"withdrawn_from,omitempty"`
	// Allowed are the actions the viewer may attempt now.
	Allowed []finding.ActionKind `json:"allowed"`
	Events  []eventJSON          `json:"events"`
}

type replyJSON struct {
	Text     string    `json:"text"`
	Evidence []string  `json:"evidence"`
	At       time.Time `json:"at"`
	By       string    `json:"by"`
}

type eventJSON struct {
	Action finding.ActionKind `json:"action"`
	From   finding.State      `json:"from,omitempty"`
	To     finding.State      `json:"to"`
	Actor  actorJSON          `json:"actor"`
	Reason string             `json:"reason"`
	At     time.Time          `json:"at"`
}

type actorJSON struct {
	Role  finding.Role `json:"role"`
	Party string       `json:"party,omitempty"`
	ID    string       `json:"id"`
}

// findingView shows e to u, who may see it: outside the mission, users
// appear by pseudonym and the drafting before sending is left out.
func (h *Handler) findingView(ctx context.Context, u *auth.User, e parties.Entry) findingJSON {
	staff := auth.SeesIdentities(u)
	who := func(id string) string {
		if staff || id == parties.Clock().ID {
			return id
		}
		return h.pseudonyms.User(id)
	}
	v := findingJSON{ID: e.ID, Party: e.Party, State: e.State, Content: e.Content, Author: who(e.Author),
		ReplyWindow: e.ReplyWindow.String(), PublicDelay: e.PublicDelay.String(), CreatedAt: e.CreatedAt,
		SentAt: e.SentAt, Deadline: e.Deadline, ObserversAt: e.ObserversAt, PublicDue: e.PublicDue(), PublicAt: e.PublicAt,
		WithdrawnFrom: e.WithdrawnFrom, Allowed: finding.Allowed(e.Finding, auth.FindingActor(u)), Events: []eventJSON{}}
	if v.Allowed == nil {
		v.Allowed = []finding.ActionKind{}
	}
	if inc, err := h.incidents.IncidentOf(ctx, e.Anchor); err == nil {
		v.Incident = inc.ID
	}
	if e.Reply != nil {
		v.Reply = &replyJSON{Text: e.Reply.Text, Evidence: e.Reply.Evidence, At: e.Reply.At, By: who(e.Reply.By)}
		if v.Reply.Evidence == nil {
			v.Reply.Evidence = []string{}
		}
	}
	for _, ev := range e.Events {
		if !staff && (ev.Action == finding.Create || ev.Action == finding.Revise) {
			continue
		}
		v.Events = append(v.Events, eventJSON{Action: ev.Action, From: ev.From, To: ev.To,
			Actor: actorJSON{Role: ev.Actor.Role, Party: ev.Actor.Party, ID: who(ev.Actor.ID)}, Reason: ev.Reason, At: ev.At})
	}
	return v
}

// The public tier's coarsening: positions rounded to a 0.1° grid, and the
// radius grown by the most the rounding can move a point (half the cell's
// diagonal at the equator, 7.87 km), rounded up to the kilometre and never
// under the cell's size.
const (
	publicGrid    = 0.1
	roundingM     = 7870.0
	minPublicRadM = 12000.0
)

// incidentFor returns inc as u may see it, and whether u may see it at all.
// Every reader of incidents (the incident endpoints, reports, exports,
// pages) goes through it. The tiers are auth.IncidentRelease's: analysts
// and the mediator see inc whole; the parties and observers, once a
// finding on it is released to them, see it without the observation ids
// and the analysts' status reason; everyone else, once a finding on it is
// public, sees that and a position rounded to 0.1°.
func (h *Handler) incidentFor(u *auth.User, inc incident.Incident) (incident.Incident, bool) {
	v, rel := h.released(u, inc)
	return v, rel != auth.Unreleased
}

// released is incidentFor with the tier.
func (h *Handler) released(u *auth.User, inc incident.Incident) (incident.Incident, auth.Release) {
	if auth.SeesIdentities(u) {
		return inc, auth.Internal
	}
	rel := auth.IncidentRelease(u, findingsOf(h.findings.On(inc.Observations)))
	switch rel {
	case auth.Unreleased:
		return incident.Incident{}, rel
	case auth.ReleasedPublic:
		if inc.Lat != nil && inc.Lon != nil {
			lat, lon := roundTo(*inc.Lat, publicGrid), roundTo(*inc.Lon, publicGrid)
			inc.Lat, inc.Lon = &lat, &lon
		}
		inc.RadiusM = max(math.Ceil((inc.RadiusM+roundingM)/1000)*1000, minPublicRadM)
	}
	inc.Observations = []string{}
	inc.StatusReason = ""
	return inc, rel
}

func roundTo(x, step float64) float64 {
	return math.Round(math.Round(x/step)*step*1e6) / 1e6
}

func findingsOf(es []parties.Entry) []finding.Finding {
	out := make([]finding.Finding, len(es))
	for i := range es {
		out[i] = es[i].Finding
	}
	return out
}

// incidentJSON is an incident as the API shows it: the DESIGN.md contract,
// with the tier it is shown in, the findings on it the viewer may see and,
// for one incident, who reported it.
type incidentJSON struct {
	incident.Incident
	// Release is the tier outside the mission: parties or public (absent:
	// the mission's internal view).
	Release string `json:"release,omitempty"`
	// Findings are the ids of the findings on the incident the viewer may
	// see (absent: none).
	Findings []string `json:"findings,omitempty"`
	// ReportedBy breaks the observations down by reporter and source: the
	// organisation for the mission, a pseudonym for monitors outside it
	// (parties report under their own code). Only on GET of one incident.
	ReportedBy []reporterJSON `json:"reported_by,omitempty"`
}

type reporterJSON struct {
	Reporter     string             `json:"reporter"`
	Source       observation.Source `json:"source"`
	Observations int                `json:"observations"`
}

// incidentView returns inc as u sees it, and whether u may see it.
func (h *Handler) incidentView(u *auth.User, inc incident.Incident) (incidentJSON, bool) {
	obs := inc.Observations
	v, rel := h.released(u, inc)
	if rel == auth.Unreleased {
		return incidentJSON{}, false
	}
	out := incidentJSON{Incident: v}
	if rel != auth.Internal {
		out.Release = rel.String()
	}
	actor := auth.FindingActor(u)
	for _, e := range h.findings.On(obs) {
		if finding.Visible(e.Finding, actor) {
			out.Findings = append(out.Findings, e.ID)
		}
	}
	return out, true
}

// maxReporters bounds the observations read for reported_by.
const maxReporters = 500

// reporters counts inc's observations by reporter and source, as u may
// see who reported.
func (h *Handler) reporters(ctx context.Context, u *auth.User, observations []string) ([]reporterJSON, error) {
	staff := auth.SeesIdentities(u)
	type key struct {
		who string
		src observation.Source
	}
	counts := map[key]int{}
	var order []key
	for i, id := range observations {
		if i == maxReporters {
			break
		}
		st, err := h.store.Observation(ctx, id, observation.Scope{All: true})
		if err != nil {
			return nil, err
		}
		var rec observation.Record
		if err := json.Unmarshal(st.Body, &rec); err != nil {
			return nil, err
		}
		k := key{rec.Organization, rec.Source}
		if rec.Party == "" && !staff {
			k.who = h.pseudonyms.Org(rec.Organization)
		}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	slices.SortFunc(order, func(a, b key) int {
		return strings.Compare(a.who+"\x00"+string(a.src), b.who+"\x00"+string(b.src))
	})
	out := make([]reporterJSON, len(order))
	for i, k := range order {
		out[i] = reporterJSON{Reporter: k.who, Source: k.src, Observations: counts[k]}
	}
	return out, nil
}

// releasedIncidents lists, for a viewer outside the mission, the incidents
// released to it that match q, from the findings it may see rather than
// from every incident: the cost is in proportion to what was released.
func (h *Handler) releasedIncidents(ctx context.Context, u *auth.User, q fusion.Query) ([]incidentJSON, bool, error) {
	actor := auth.FindingActor(u)
	entries, _, err := h.findings.List(func(e *parties.Entry) bool { return finding.Visible(e.Finding, actor) }, "", math.MaxInt)
	if err != nil {
		return nil, false, err
	}
	seen := map[string]bool{}
	var out []incidentJSON
	for _, e := range entries {
		inc, err := h.incidents.IncidentOf(ctx, e.Anchor)
		if err != nil || seen[inc.ID] {
			continue
		}
		seen[inc.ID] = true
		v, ok := h.incidentView(u, inc)
		if !ok || !q.Match(&v.Incident) {
			continue
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b incidentJSON) int { return incident.Less(&a.Incident, &b.Incident) })
	if len(out) > q.Limit {
		return out[:q.Limit], true, nil
	}
	return out, false, nil
}

// allegationJSON is one of a party's allegations with the incident it
// joined, once that incident is released to the viewer.
type allegationJSON struct {
	ID         string             `json:"id"`
	Party      string             `json:"party"`
	ObservedAt time.Time          `json:"observed_at"`
	Domain     observation.Domain `json:"domain"`
	Kind       observation.Kind   `json:"kind"`
	AcceptedAt time.Time          `json:"accepted_at"`
	// Incident is the incident the allegation belongs to, with its status,
	// or null while that incident is not released to the viewer.
	Incident *allegationIncident `json:"incident"`
}

type allegationIncident struct {
	ID      string          `json:"id"`
	Status  incident.Status `json:"status"`
	Release string          `json:"release"`
}

func (h *Handler) allegation(ctx context.Context, u *auth.User, st observation.Stored) (allegationJSON, error) {
	var rec observation.Record
	if err := json.Unmarshal(st.Body, &rec); err != nil {
		return allegationJSON{}, err
	}
	a := allegationJSON{ID: rec.ID, Party: rec.Party, ObservedAt: rec.ObservedAt, Domain: rec.Domain, Kind: rec.Kind, AcceptedAt: rec.AcceptedAt}
	if inc, err := h.incidents.IncidentOf(ctx, rec.ID); err == nil {
		if v, rel := h.released(u, inc); rel != auth.Unreleased {
			a.Incident = &allegationIncident{ID: v.ID, Status: v.Status, Release: rel.String()}
		}
	}
	return a, nil
}

// listAllegations lists allegations in the order they arrived: a party its
// own, analysts and the mediator every party's.
func (h *Handler) listAllegations(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	all, party, err := auth.ReadAllegations(u)
	if err != nil {
		return err
	}
	f := observation.Filter{Scope: observation.Scope{All: all, Party: party}, Source: observation.Party, ArrivalOrder: true, Limit: defaultLimit}
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "limit":
			if f.Limit, err = parseLimit(key, v); err != nil {
				return err
			}
		case "cursor":
			p, err := decodeCursor(v)
			if err != nil {
				return err
			}
			f.After = &p
		default:
			return derrors.Invalid(key, "unknown query parameter")
		}
	}
	limit := f.Limit
	f.Limit++
	rows, err := h.store.ListObservations(r.Context(), f)
	if err != nil {
		return err
	}
	page := struct {
		Items      []allegationJSON `json:"items"`
		NextCursor string           `json:"next_cursor,omitempty"`
	}{Items: []allegationJSON{}}
	for i, st := range rows {
		if i == limit {
			page.NextCursor = encodeCursor(observation.Position{Seq: rows[i-1].Seq})
			break
		}
		a, err := h.allegation(r.Context(), u, st)
		if err != nil {
			return err
		}
		page.Items = append(page.Items, a)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// incidentAllegations lists the allegations among an incident's
// observations, for analysts and the mediator.
func (h *Handler) incidentAllegations(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.ReadIncidents(u); err != nil {
		return err
	}
	inc, err := h.incidents.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	page := struct {
		Items []allegationJSON `json:"items"`
	}{Items: []allegationJSON{}}
	for _, id := range inc.Observations {
		st, err := h.store.Observation(r.Context(), id, observation.Scope{All: true})
		if err != nil {
			return err
		}
		a, err := h.allegation(r.Context(), u, st)
		if err != nil {
			return err
		}
		if a.Party != "" {
			page.Items = append(page.Items, a)
		}
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}
