package httpapi

// findingRoutes are the parties' loop: findings, replies and releases.
func (h *Handler) findingRoutes() []route {
	return nil
}
