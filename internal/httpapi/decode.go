package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"truce/internal/derrors"
)

// decodeStrict decodes a JSON request body of at most max bytes into v,
// refusing unknown fields; errors name the field at fault.
func decodeStrict(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonFieldError(err)
	}
	return nil
}

// jsonFieldError names the field of a JSON decoding error.
func jsonFieldError(err error) error {
	var typ *json.UnmarshalTypeError
	var fe *derrors.FieldError
	switch {
	case errors.As(err, &fe): // from a type's own UnmarshalJSON
		return fe
	case errors.As(err, &typ) && typ.Field != "":
		return derrors.Invalid(typ.Field, "must be %s", typ.Type.String())
	}
	if name, ok := derrors.UnknownJSONField(err); ok {
		return derrors.Invalid(name, "unknown field")
	}
	return derrors.Invalid("body", "malformed JSON: %v", err)
}
