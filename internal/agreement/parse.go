package agreement

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"truce/internal/derrors"
	"truce/internal/observation"
)

// Parse reads the JSON body of a new agreement or an amendment
//
//	{"title": "...", "parties": ["UA", "RU"],
//	 "terms": [{"id", "domains", "from", "to", "kinds"?, "zone"?, "targets"?}]}
//
// and validates it (see Validate). Unknown members are refused at every
// level, except "bbox" in a zone, which is ignored. Times are RFC 3339 and
// are returned in UTC. ID, Version and Adopted are left zero for the server
// to assign.
//
// Errors are *derrors.FieldError naming the field at fault ("terms[1].zone",
// "body" for the whole input); a body over MaxBodyBytes wraps
// derrors.ErrTooLarge, everything else derrors.ErrInvalid.
func Parse(data []byte) (Agreement, error) {
	if len(data) > MaxBodyBytes {
		return Agreement{}, &derrors.FieldError{Field: "body", Message: fmt.Sprintf("larger than %d bytes", MaxBodyBytes), Err: derrors.ErrTooLarge}
	}
	obj, err := object(data, "body", "title", "parties", "terms")
	if err != nil {
		return Agreement{}, err
	}
	var a Agreement
	if err := str(obj["title"], "title", &a.Title); err != nil {
		return Agreement{}, err
	}
	if err := strs(obj["parties"], "parties", &a.Parties); err != nil {
		return Agreement{}, err
	}
	var terms []json.RawMessage
	if err := json.Unmarshal(obj["terms"], &terms); obj["terms"] == nil || err != nil {
		return Agreement{}, derrors.Invalid("terms", "must be an array of terms")
	}
	if len(terms) > MaxTerms {
		return Agreement{}, derrors.Invalid("terms", "must hold 1 to %d terms", MaxTerms)
	}
	for i, raw := range terms {
		t, err := parseTerm(raw, fmt.Sprintf("terms[%d]", i))
		if err != nil {
			return Agreement{}, err
		}
		a.Terms = append(a.Terms, t)
	}
	if err := a.Validate(); err != nil {
		return Agreement{}, err
	}
	return a, nil
}

func parseTerm(raw json.RawMessage, field string) (Term, error) {
	obj, err := object(raw, field, "id", "domains", "from", "to", "kinds", "zone", "targets")
	if err != nil {
		return Term{}, err
	}
	var t Term
	if err := str(obj["id"], field+".id", &t.ID); err != nil {
		return Term{}, err
	}
	var ss []string
	if err := strs(obj["domains"], field+".domains", &ss); err != nil {
		return Term{}, err
	}
	for _, s := range ss {
		t.Domains = append(t.Domains, observation.Domain(s))
	}
	if t.From, err = timestamp(obj["from"], field+".from"); err != nil {
		return Term{}, err
	}
	if t.To, err = timestamp(obj["to"], field+".to"); err != nil {
		return Term{}, err
	}
	if present(obj["kinds"]) {
		ss = nil
		if err := strs(obj["kinds"], field+".kinds", &ss); err != nil {
			return Term{}, err
		}
		for _, s := range ss {
			t.Kinds = append(t.Kinds, observation.Kind(s))
		}
	}
	if present(obj["zone"]) {
		if t.Zone, err = parseZone(obj["zone"], field+".zone"); err != nil {
			return Term{}, err
		}
	}
	if present(obj["targets"]) {
		if err := strs(obj["targets"], field+".targets", &t.Targets); err != nil {
			return Term{}, err
		}
	}
	return t, nil
}

// object decodes a JSON object and refuses members not in allowed,
// reporting the first unknown member in sorted order.
func object(raw []byte, field string, allowed ...string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, derrors.Invalid(field, "must be a JSON object")
	}
	var unknown []string
	for k := range obj {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		name := unknown[0]
		if field != "body" {
			name = field + "." + name
		}
		return nil, derrors.Invalid(name, "unknown field")
	}
	return obj, nil
}

func present(raw json.RawMessage) bool {
	return raw != nil && !bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

func str(raw json.RawMessage, field string, dst *string) error {
	if !present(raw) {
		return derrors.Invalid(field, "is required")
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return derrors.Invalid(field, "must be a string")
	}
	return nil
}

func strs(raw json.RawMessage, field string, dst *[]string) error {
	if !present(raw) {
		return derrors.Invalid(field, "is required")
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return derrors.Invalid(field, "must be an array of strings")
	}
	return nil
}

func timestamp(raw json.RawMessage, field string) (time.Time, error) {
	var s string
	if err := str(raw, field, &s); err != nil {
		return time.Time{}, derrors.Invalid(field, "is required (RFC 3339)")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, derrors.Invalid(field, "must be an RFC 3339 time such as 2025-03-18T00:00:00Z")
	}
	return t.UTC(), nil
}
