package agreement

import (
	"fmt"
	"slices"
	"time"

	"truce/internal/derrors"
)

// Amend checks next as the version that follows prev and returns it with
// prev's ID and Version+1. The caller sets next.Adopted (the server's clock)
// before calling; it must be after prev.Adopted.
//
// An amendment changes the future, never the past: everything before
// next.Adopted is judged exactly as prev judged it. So:
//
//   - the parties may not change (other parties make another agreement);
//   - the title may change;
//   - a term that has begun (From before next.Adopted) keeps its id,
//     domains, kinds, zone, targets and From; its To may move (to end the
//     term now, or to extend it) but neither the old nor the new To may be
//     before next.Adopted unless they are equal; it may not be removed;
//   - a term that has not begun may change in any way or be removed, and a
//     new term may be added, as long as its From is not before next.Adopted.
//
// next must also pass Validate. Errors are *derrors.FieldError naming the
// field of next at fault, wrapping derrors.ErrInvalid.
func Amend(prev, next Agreement) (Agreement, error) {
	if prev.ID == "" || prev.Version < 1 {
		return Agreement{}, derrors.Invalid("id", "the previous version has no id or version")
	}
	if err := next.Validate(); err != nil {
		return Agreement{}, err
	}
	if next.ID != "" && next.ID != prev.ID {
		return Agreement{}, derrors.Invalid("id", "an amendment keeps the agreement id %q", prev.ID)
	}
	if next.Version != 0 && next.Version != prev.Version+1 {
		return Agreement{}, derrors.Invalid("version", "must be %d", prev.Version+1)
	}
	if !next.Adopted.After(prev.Adopted) {
		return Agreement{}, derrors.Invalid("adopted", "must be after version %d was adopted (%s)", prev.Version, prev.Adopted.Format(time.RFC3339))
	}
	at := next.Adopted
	a, b := slices.Clone(prev.Parties), slices.Clone(next.Parties)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		return Agreement{}, derrors.Invalid("parties", "an amendment keeps the parties %v", prev.Parties)
	}
	for _, old := range prev.Terms {
		i := slices.IndexFunc(next.Terms, func(t Term) bool { return t.ID == old.ID })
		begun := old.From.Before(at)
		if i < 0 {
			if begun {
				return Agreement{}, derrors.Invalid("terms", "term %q has begun and may not be removed; end it by setting its to", old.ID)
			}
			continue
		}
		t := next.Terms[i]
		field := fmt.Sprintf("terms[%d]", i)
		if !begun {
			if t.From.Before(at) {
				return Agreement{}, derrors.Invalid(field+".from", "may not be before the amendment is adopted (%s)", at.Format(time.RFC3339))
			}
			continue
		}
		if err := sameTerm(old, t, field); err != nil {
			return Agreement{}, err
		}
		if !t.To.Equal(old.To) && (t.To.Before(at) || old.To.Before(at)) {
			return Agreement{}, derrors.Invalid(field+".to", "may move only within the future: not before the amendment is adopted (%s), and not once the term has ended", at.Format(time.RFC3339))
		}
	}
	for i, t := range next.Terms {
		if slices.ContainsFunc(prev.Terms, func(o Term) bool { return o.ID == t.ID }) {
			continue
		}
		if t.From.Before(at) {
			return Agreement{}, derrors.Invalid(fmt.Sprintf("terms[%d].from", i), "a new term may not begin before the amendment is adopted (%s)", at.Format(time.RFC3339))
		}
	}
	next.ID, next.Version = prev.ID, prev.Version+1
	return next, nil
}

// sameTerm checks that a term that has begun keeps what defines it.
func sameTerm(old, t Term, field string) error {
	const msg = "term %q has begun: only its to may change"
	switch {
	case !slices.Equal(old.Domains, t.Domains):
		return derrors.Invalid(field+".domains", msg, old.ID)
	case !old.From.Equal(t.From):
		return derrors.Invalid(field+".from", msg, old.ID)
	case !slices.Equal(old.Kinds, t.Kinds):
		return derrors.Invalid(field+".kinds", msg, old.ID)
	case !old.Zone.equal(t.Zone):
		return derrors.Invalid(field+".zone", msg, old.ID)
	case !slices.Equal(old.Targets, t.Targets):
		return derrors.Invalid(field+".targets", msg, old.ID)
	}
	return nil
}
