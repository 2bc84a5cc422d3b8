package observation

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"truce/internal/derrors"
)

// Limits on one observation. Intake enforces MaxBytes on the raw object
// before Parse sees it.
const (
	MaxBytes             = 64 << 10         // one encoded observation
	MaxNarrativeBytes    = 8 << 10          // narrative, in bytes of UTF-8
	MaxEvidence          = 32               // evidence items
	MaxFuture            = 10 * time.Minute // observed_at may lead the server clock by this much
	MaxTimeUncertaintyS  = 7 * 24 * 3600    // a week
	MaxLocationUncertain = 1_000_000        // 1000 km
	MaxCount             = 1_000_000
)

// earliest is the earliest observed_at accepted: older dates are typing errors.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	regionRE = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{1,3}$`)
	partyRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	mediaRE  = regexp.MustCompile(`^[a-z]+/[a-zA-Z0-9.+_-]+$`)
)

// wire is the JSON shape as received: pointers tell absent from zero.
type wire struct {
	ID                   *string        `json:"id"`
	ObservedAt           *string        `json:"observed_at"`
	TimeUncertaintyS     *float64       `json:"time_uncertainty_s"`
	Lat                  *float64       `json:"lat"`
	Lon                  *float64       `json:"lon"`
	LocationUncertaintyM *float64       `json:"location_uncertainty_m"`
	Region               *string        `json:"region"`
	Domain               *string        `json:"domain"`
	Kind                 *string        `json:"kind"`
	Count                *int           `json:"count"`
	Source               *string        `json:"source"`
	AttributedTo         *string        `json:"attributed_to"`
	Narrative            *string        `json:"narrative"`
	Evidence             []wireEvidence `json:"evidence"`
	Signature            *string        `json:"signature"`
}

type wireEvidence struct {
	SHA256    *string `json:"sha256"`
	MediaType *string `json:"media_type"`
}

// Parse decodes one JSON object and validates it against the contract.
// now is the server's clock, for the rule on future times. The error is a
// *derrors.FieldError naming the field at fault ("body" when the input is
// not one JSON object).
func Parse(data []byte, now time.Time) (Observation, error) {
	var w wire
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return Observation{}, decodeError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Observation{}, derrors.Invalid("body", "unexpected data after the JSON object")
	}
	return w.validate(now)
}

func decodeError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		field := keyBefore(data)
		if field == "" {
			field = "body"
		}
		rest := data[min(int(syn.Offset), len(data)):]
		if i := int(syn.Offset) - 1; i >= 0 && i < len(data) {
			rest = data[i:]
		}
		for _, w := range []string{"NaN", "Infinity", "-Infinity", "+Infinity"} {
			if bytes.HasPrefix(rest, []byte(w)) {
				return derrors.Invalid(field, "NaN and Infinity are not numbers in JSON")
			}
		}
		return derrors.Invalid(field, "malformed JSON: %s", strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return derrors.Invalid("body", "must be a JSON object, not %s", typ.Value)
		}
		return derrors.Invalid(typ.Field, "must be %s, not %s", typeName(typ.Type), typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return derrors.Invalid("body", "empty or truncated JSON")
	}
	if name, ok := derrors.UnknownJSONField(err); ok {
		return derrors.Invalid(name, "unknown field")
	}
	return derrors.Invalid("body", "malformed JSON: %v", err)
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// keyBefore returns the top-level key whose value the decoder was reading
// when data stopped being valid JSON, or "" when the fault is outside any
// value (before the first key, or after the object).
func keyBefore(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	depth, wantKey, key := 0, false, ""
	for {
		tok, err := dec.Token()
		if err != nil {
			if depth == 1 && wantKey {
				return "" // the fault is where a key should be
			}
			return key
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				depth++
				if depth == 1 {
					wantKey = t == '{'
				}
			} else {
				depth--
				if depth == 1 {
					wantKey = true
				}
				if depth == 0 {
					key = ""
				}
			}
		default:
			if depth == 1 {
				if s, ok := t.(string); ok && wantKey {
					key, wantKey = s, false
				} else {
					wantKey = true
				}
			}
		}
	}
}

func (w *wire) validate(now time.Time) (Observation, error) {
	var o Observation

	if w.ID == nil {
		return o, derrors.Invalid("id", "required")
	}
	o.ID = strings.ToLower(*w.ID)
	if !isUUID(o.ID) {
		return o, derrors.Invalid("id", "must be a UUID such as 6f1c7a2e-0d0b-4a6e-9d1f-2b1f7c4e9a10")
	}

	if w.ObservedAt == nil {
		return o, derrors.Invalid("observed_at", "required")
	}
	t, err := time.Parse(time.RFC3339Nano, *w.ObservedAt)
	if err != nil {
		return o, derrors.Invalid("observed_at", "must be an RFC 3339 time such as 2025-06-01T01:23:45Z")
	}
	o.ObservedAt = t.UTC()
	if o.ObservedAt.After(now.Add(MaxFuture)) {
		return o, derrors.Invalid("observed_at", "is more than %v in the future", MaxFuture)
	}
	if o.ObservedAt.Before(earliest) {
		return o, derrors.Invalid("observed_at", "is before %s", earliest.Format(time.DateOnly))
	}

	if w.TimeUncertaintyS != nil {
		o.TimeUncertaintyS = *w.TimeUncertaintyS
		if err := inRange("time_uncertainty_s", o.TimeUncertaintyS, 0, MaxTimeUncertaintyS); err != nil {
			return o, err
		}
	}

	switch {
	case w.Lat != nil && w.Lon == nil:
		return o, derrors.Invalid("lon", "required when lat is given")
	case w.Lon != nil && w.Lat == nil:
		return o, derrors.Invalid("lat", "required when lon is given")
	case w.Lat != nil:
		if err := inRange("lat", *w.Lat, -90, 90); err != nil {
			return o, err
		}
		if err := inRange("lon", *w.Lon, -180, 180); err != nil {
			return o, err
		}
		lat, lon := *w.Lat, *w.Lon
		o.Lat, o.Lon = &lat, &lon
	}
	if w.LocationUncertaintyM != nil {
		o.LocationUncertaintyM = *w.LocationUncertaintyM
		if err := inRange("location_uncertainty_m", o.LocationUncertaintyM, 0, MaxLocationUncertain); err != nil {
			return o, err
		}
	}
	if w.Region != nil {
		o.Region = *w.Region
		if !regionRE.MatchString(o.Region) {
			return o, derrors.Invalid("region", "must be an ISO 3166-2 code such as UA-32")
		}
	}
	if o.Lat == nil && o.Region == "" {
		return o, derrors.Invalid("lat", "either lat and lon or region is required")
	}

	if w.Domain == nil {
		return o, derrors.Invalid("domain", "required")
	}
	o.Domain = Domain(*w.Domain)
	if _, ok := kinds[o.Domain]; !ok {
		return o, derrors.Invalid("domain", "must be one of land, sea, air")
	}
	if w.Kind == nil {
		return o, derrors.Invalid("kind", "required")
	}
	o.Kind = Kind(*w.Kind)
	if !ValidKind(o.Domain, o.Kind) {
		if d, ok := DomainOf(o.Kind); ok {
			return o, derrors.Invalid("kind", "%q belongs to domain %s, not %s", o.Kind, d, o.Domain)
		}
		return o, derrors.Invalid("kind", "must be one of %v for domain %s", kinds[o.Domain], o.Domain)
	}

	o.Count = 1
	if w.Count != nil {
		o.Count = *w.Count
		if o.Count < 1 || o.Count > MaxCount {
			return o, derrors.Invalid("count", "must be between 1 and %d", MaxCount)
		}
	}

	if w.Source == nil {
		return o, derrors.Invalid("source", "required")
	}
	o.Source = Source(*w.Source)
	if !ValidSource(o.Source) {
		return o, derrors.Invalid("source", "must be one of %v", Sources())
	}

	if w.AttributedTo != nil {
		o.AttributedTo = *w.AttributedTo
		if o.AttributedTo != "" && !partyRE.MatchString(o.AttributedTo) {
			return o, derrors.Invalid("attributed_to", "must be a two-letter party code such as RU or UA")
		}
	}
	if w.Narrative != nil {
		o.Narrative = *w.Narrative
		if len(o.Narrative) > MaxNarrativeBytes {
			return o, derrors.Invalid("narrative", "is %d bytes, more than the limit of %d", len(o.Narrative), MaxNarrativeBytes)
		}
		if !utf8.ValidString(o.Narrative) {
			return o, derrors.Invalid("narrative", "must be valid UTF-8")
		}
	}

	if len(w.Evidence) > MaxEvidence {
		return o, derrors.Invalid("evidence", "has %d items, more than the limit of %d", len(w.Evidence), MaxEvidence)
	}
	for i, e := range w.Evidence {
		field := fmt.Sprintf("evidence[%d]", i)
		if e.SHA256 == nil {
			return o, derrors.Invalid(field+".sha256", "required")
		}
		h := strings.ToLower(*e.SHA256)
		if !isLowerHex(h, 64) {
			return o, derrors.Invalid(field+".sha256", "must be 64 hexadecimal digits")
		}
		ev := Evidence{SHA256: h}
		if e.MediaType != nil {
			ev.MediaType = *e.MediaType
			if len(ev.MediaType) > 100 || !mediaRE.MatchString(ev.MediaType) {
				return o, derrors.Invalid(field+".media_type", "must be a media type such as image/jpeg")
			}
		}
		o.Evidence = append(o.Evidence, ev)
	}

	if w.Signature != nil {
		o.Signature = *w.Signature
		sig, err := base64.StdEncoding.DecodeString(o.Signature)
		if err != nil || len(sig) != 64 {
			return o, derrors.Invalid("signature", "must be a base64 Ed25519 signature (64 bytes)")
		}
	}
	return o, nil
}

func inRange(field string, v, lo, hi float64) error {
	if math.IsNaN(v) || v < lo || v > hi {
		return derrors.Invalid(field, "must be between %s and %s", strconv.FormatFloat(lo, 'f', -1, 64), strconv.FormatFloat(hi, 'f', -1, 64))
	}
	return nil
}

// isUUID reports whether s is a UUID in lower-case 8-4-4-4-12 form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHexDigit(s[i]) {
				return false
			}
		}
	}
	return true
}

// isLowerHex reports whether s is n lower-case hexadecimal digits.
func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }
