package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// maxAPIBody bounds what a page reads from one API answer.
const maxAPIBody = 16 << 20

// buffer is the http.ResponseWriter the in-process API writes to: it keeps
// the status and up to maxAPIBody bytes of the body.
type buffer struct {
	header   http.Header
	status   int
	body     bytes.Buffer
	overflow bool
}

func (b *buffer) Header() http.Header { return b.header }

func (b *buffer) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *buffer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if b.body.Len()+len(p) > maxAPIBody {
		b.overflow = true
		return 0, errors.New("web: API answer too large")
	}
	return b.body.Write(p)
}

// api sends GET path to the API in-process as the viewer with token ("" for
// the public) and returns the status and body.
func (h *Handler) api(r *http.Request, token, path string) (int, []byte) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, path, nil)
	if err != nil {
		return http.StatusBadRequest, nil
	}
	req.RemoteAddr = r.RemoteAddr
	req.Host = r.Host
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	b := &buffer{header: http.Header{}}
	h.cfg.API.ServeHTTP(b, req)
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if b.overflow {
		return http.StatusInternalServerError, nil
	}
	return b.status, b.body.Bytes()
}

// apiError is an error answer of the API.
type apiError struct {
	Status  int
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("API %d %s: %s %s", e.Status, e.Code, e.Field, e.Message)
}

// getJSON reads path from the API as the viewer into out. Answers other
// than 200 come back as *apiError.
func (h *Handler) getJSON(r *http.Request, token, path string, out any) error {
	st, body := h.api(r, token, path)
	if st != http.StatusOK {
		e := &apiError{Status: st}
		var wrapper struct {
			Error *apiError `json:"error"`
		}
		wrapper.Error = e
		json.Unmarshal(body, &wrapper) // best effort: the status says enough
		e.Status = st
		return e
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("web: decode %s: %w", path, err)
	}
	return nil
}

// pageErrorFor turns an API error into the page's answer: a viewer without
// a token goes to sign in, others see why.
func pageErrorFor(w http.ResponseWriter, r *http.Request, v *viewer, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Status {
	case http.StatusUnauthorized:
		if !v.SignedIn() {
			return signInRedirect(w, r)
		}
		return &pageError{status: http.StatusUnauthorized, Key: "error.unauthenticated"}
	case http.StatusForbidden:
		return &pageError{status: http.StatusForbidden, Key: "error.forbidden"}
	case http.StatusNotFound:
		return &pageError{status: http.StatusNotFound, Key: "error.notfound"}
	case http.StatusBadRequest:
		detail := ae.Message
		if ae.Field != "" {
			detail = ae.Field + ": " + ae.Message
		}
		return &pageError{status: http.StatusBadRequest, Key: "error.invalid", Detail: detail}
	}
	return err
}
