package fusion

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"truce/internal/agreement"
	"truce/internal/derrors"
	"truce/internal/incident"
	"truce/internal/record"
)

// Agreements are judged here because incidents are: every incident the
// view returns carries the violation, if any, of the agreements in force
// (the latest version of each; amendments never change how the past is
// judged, see agreement.Amend).

// recordLister lists stored records of a type.
type recordLister interface {
	ListRecords(ctx context.Context, typ string, afterSeq int64, limit int) ([]record.Stored, error)
}

// LatestAgreements reads every stored agreement version, in the order
// adopted, and returns the latest version of each, by id.
func LatestAgreements(ctx context.Context, st recordLister) ([]agreement.Agreement, error) {
	latest := map[string]agreement.Agreement{}
	var seq int64
	for {
		recs, err := st.ListRecords(ctx, record.TypeAgreement, seq, replayPage)
		if err != nil {
			return nil, fmt.Errorf("fusion: agreements: %w", err)
		}
		for _, r := range recs {
			var a agreement.Agreement
			if err := json.Unmarshal(r.Body, &a); err != nil {
				return nil, fmt.Errorf("fusion: agreement record %s: %w", r.ID, err)
			}
			latest[a.ID] = a
			seq = r.Seq
		}
		if len(recs) < replayPage {
			break
		}
	}
	out := make([]agreement.Agreement, 0, len(latest))
	for _, a := range latest {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b agreement.Agreement) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// loadAgreements takes the stored agreements into the view. The caller
// holds s.mu.
func (s *Service) loadAgreements(ctx context.Context) error {
	a, err := LatestAgreements(ctx, s.store)
	if err != nil {
		return err
	}
	s.agreements = a
	return nil
}

// judge fills the incident's violation. The caller holds s.mu.
func (s *Service) judge(inc incident.Incident) incident.Incident {
	inc.Violation = agreement.Judge(inc, s.agreements)
	return inc
}

// Adopt stores a new agreement (a.ID empty: it gets an id and version 1)
// or an amendment of an existing one (a.ID set: version+1, checked by
// agreement.Amend), adopted now, as a ledger-covered record, and judges
// incidents by it from then on.
func (s *Service) Adopt(ctx context.Context, a agreement.Agreement, authorID int64, now time.Time) (agreement.Agreement, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.Adopted = now.UTC()
	if a.ID == "" {
		if err := a.Validate(); err != nil {
			return agreement.Agreement{}, err
		}
		a.ID, a.Version = uuid.NewString(), 1
	} else {
		i := slices.IndexFunc(s.agreements, func(x agreement.Agreement) bool { return x.ID == a.ID })
		if i < 0 {
			return agreement.Agreement{}, derrors.ErrNotFound
		}
		var err error
		if a, err = agreement.Amend(s.agreements[i], a); err != nil {
			return agreement.Agreement{}, err
		}
	}
	body, err := canonical(a)
	if err != nil {
		return agreement.Agreement{}, err
	}
	if _, err := s.store.AppendRecord(ctx, record.TypeAgreement, uuid.NewString(), authorID, body); err != nil {
		return agreement.Agreement{}, fmt.Errorf("fusion: adopt agreement: %w", err)
	}
	// Copy on write: List judges with a slice it took under the lock.
	next := slices.DeleteFunc(slices.Clone(s.agreements), func(x agreement.Agreement) bool { return x.ID == a.ID })
	next = append(next, a)
	slices.SortFunc(next, func(a, b agreement.Agreement) int { return cmp.Compare(a.ID, b.ID) })
	s.agreements = next
	return a, nil
}

// Agreements returns the latest version of every agreement, by id.
func (s *Service) Agreements() []agreement.Agreement {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.agreements)
}
