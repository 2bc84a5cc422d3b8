package httpapi

import (
	_ "embed"
	"net/http"

	"truce/internal/auth"
)

// openAPIDoc describes every route; TestOpenAPIMatchesRoutes holds the two
// together.
//
//go:embed openapi.json
var openAPIDoc []byte

func (h *Handler) openAPI(w http.ResponseWriter, _ *http.Request, _ *auth.User) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
	return nil
}
