package httpapi

import (
	"strconv"
	"time"

	"truce/internal/derrors"
	"truce/internal/observation"
)

// The query parameters list endpoints share, each parsed with a FieldError
// that names the parameter.

func parseTime(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return t, derrors.Invalid(field, "must be an RFC 3339 time such as 2025-06-01T00:00:00Z")
	}
	return t, nil
}

func parseDomain(field, v string) (observation.Domain, error) {
	d := observation.Domain(v)
	if observation.Kinds(d) == nil {
		return "", derrors.Invalid(field, "must be one of land, sea, air")
	}
	return d, nil
}

func parseKind(field, v string) (observation.Kind, error) {
	k := observation.Kind(v)
	if _, ok := observation.DomainOf(k); !ok {
		return "", derrors.Invalid(field, "unknown kind %q", v)
	}
	return k, nil
}

func parseLimit(field, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		return 0, derrors.Invalid(field, "must be an integer from 1 to %d", maxLimit)
	}
	return n, nil
}
