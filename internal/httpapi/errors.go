package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"truce/internal/derrors"
)

// apiError is the JSON body of every error answer:
// {"error": {"code": "invalid", "field": "lat", "message": "..."}}.
type apiError struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// errorStatus maps an error to its HTTP status and JSON form. It is the one
// place where errors become status codes.
func errorStatus(err error) (int, apiError) {
	var fe *derrors.FieldError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, apiError{"too_large", "body", "request body is larger than the limit of " + itoa(mbe.Limit) + " bytes"}
	case errors.As(err, &fe):
		if errors.Is(fe, derrors.ErrTooLarge) {
			return http.StatusRequestEntityTooLarge, apiError{"too_large", fe.Field, fe.Message}
		}
		if errors.Is(fe, derrors.ErrConflict) {
			return http.StatusConflict, apiError{"conflict", fe.Field, fe.Message}
		}
		return http.StatusBadRequest, apiError{"invalid", fe.Field, fe.Message}
	case errors.Is(err, derrors.ErrUnauthenticated):
		return http.StatusUnauthorized, apiError{Code: "unauthenticated", Message: "a valid bearer token is required"}
	case errors.Is(err, derrors.ErrForbidden):
		return http.StatusForbidden, apiError{Code: "forbidden", Message: "this token's role may not do this"}
	case errors.Is(err, derrors.ErrNotFound):
		return http.StatusNotFound, apiError{Code: "not_found", Message: "not found"}
	case errors.Is(err, derrors.ErrConflict):
		return http.StatusConflict, apiError{Code: "conflict", Message: err.Error()}
	case errors.Is(err, derrors.ErrInvalid):
		return http.StatusBadRequest, apiError{Code: "invalid", Message: err.Error()}
	case errors.Is(err, context.Canceled):
		return 499, apiError{Code: "canceled", Message: "request canceled"}
	}
	return http.StatusInternalServerError, apiError{Code: "internal", Message: "internal error"}
}

// writeError answers with err's status and JSON form, logging internal
// errors (once, here).
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := errorStatus(err)
	if status == http.StatusInternalServerError {
		h.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="truce"`)
	}
	writeJSON(w, status, map[string]apiError{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
