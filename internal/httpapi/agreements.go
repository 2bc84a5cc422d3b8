package httpapi

import (
	"context"
	"io"
	"net/http"
	"slices"
	"time"

	"truce/internal/agreement"
	"truce/internal/auth"
	"truce/internal/derrors"
)

// Agreements keeps the ceasefire agreements incidents are judged against.
type Agreements interface {
	Adopt(ctx context.Context, a agreement.Agreement, authorID int64, now time.Time) (agreement.Agreement, error)
	Agreements() []agreement.Agreement
}

func (h *Handler) readAgreement(w http.ResponseWriter, r *http.Request) (agreement.Agreement, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, agreement.MaxBodyBytes))
	if err != nil {
		return agreement.Agreement{}, err
	}
	return agreement.Parse(body)
}

// postAgreement adopts a new agreement (version 1).
func (h *Handler) postAgreement(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.ManageAgreements(u); err != nil {
		return err
	}
	a, err := h.readAgreement(w, r)
	if err != nil {
		return err
	}
	if a, err = h.agreements.Adopt(r.Context(), a, u.ID, h.now()); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

// postAgreementVersion adopts an amendment: the next version of {id}.
func (h *Handler) postAgreementVersion(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.ManageAgreements(u); err != nil {
		return err
	}
	a, err := h.readAgreement(w, r)
	if err != nil {
		return err
	}
	a.ID = r.PathValue("id")
	if a, err = h.agreements.Adopt(r.Context(), a, u.ID, h.now()); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (h *Handler) listAgreements(w http.ResponseWriter, _ *http.Request, _ *auth.User) error {
	items := h.agreements.Agreements()
	if items == nil {
		items = []agreement.Agreement{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (h *Handler) getAgreement(w http.ResponseWriter, r *http.Request, _ *auth.User) error {
	all := h.agreements.Agreements()
	i := slices.IndexFunc(all, func(a agreement.Agreement) bool { return a.ID == r.PathValue("id") })
	if i < 0 {
		return derrors.ErrNotFound
	}
	writeJSON(w, http.StatusOK, all[i])
	return nil
}
