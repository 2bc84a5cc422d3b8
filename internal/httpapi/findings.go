package httpapi

import (
	"truce/internal/auth"
	"truce/internal/incident"
)

// findingRoutes are the parties' loop: findings, replies and releases.
func (h *Handler) findingRoutes() []route {
	return nil
}

// incidentFor returns inc as u may see it, and whether u may see it at all.
// Every reader of incidents (the incident endpoints, reports, exports,
// pages) goes through it.
func (h *Handler) incidentFor(u *auth.User, inc incident.Incident) (incident.Incident, bool) {
	if auth.ReadIncidents(u) != nil {
		return incident.Incident{}, false
	}
	return inc, true
}
