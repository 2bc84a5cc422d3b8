package httpapi

// notifyRoutes are the notifications: webhooks and the event stream.
func (h *Handler) notifyRoutes() []route {
	return nil
}
