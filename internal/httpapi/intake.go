package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sync"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/ingest"
	"truce/internal/observation"
)

// item is one observation of an intake request on its way through.
type item struct {
	line    int    // 1-based position in the batch (line number for JSON Lines)
	raw     []byte // the object as received
	err     error  // why it was rejected, if it was
	prep    observation.Prepared
	outcome observation.Outcome
}

// isJSONLines reports whether a media type is taken as JSON Lines.
func isJSONLines(mediaType string) bool {
	switch mediaType {
	case "application/x-ndjson", "application/jsonl", "application/json-lines":
		return true
	}
	return false
}

// readItems splits a request body into items: one JSON object, a JSON
// array of them, or JSON Lines. An error means the request as a whole is
// unusable (413 for a body over the limit); an item's own fault (too large,
// say) is kept on the item so the rest of a batch goes on.
func readItems(r *http.Request, body io.Reader) (items []item, batch bool, err error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	br := bufio.NewReaderSize(body, 64<<10)
	if isJSONLines(mt) {
		items, err := readLines(br)
		return items, true, err
	}
	first, err := firstByte(br)
	if err != nil {
		return nil, false, err
	}
	if first == '[' {
		items, err := readArray(br)
		return items, true, err
	}
	raw, err := io.ReadAll(io.LimitReader(br, observation.MaxBytes+1))
	if err != nil {
		return nil, false, err
	}
	if len(raw) > observation.MaxBytes {
		return nil, false, tooLarge("body")
	}
	return []item{{line: 1, raw: raw}}, false, nil
}

func tooLarge(field string) error {
	return &derrors.FieldError{Field: field, Message: fmt.Sprintf("one observation may be at most %d bytes", observation.MaxBytes), Err: derrors.ErrTooLarge}
}

// firstByte returns the first non-space byte without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			return 0, derrors.Invalid("body", "empty request body")
		}
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			return b, br.UnreadByte()
		}
	}
}

func readLines(br *bufio.Reader) ([]item, error) {
	var items []item
	for n := 1; ; n++ {
		line, tooLong, err := ingest.ReadLine(br)
		if err != nil && err != io.EOF {
			return nil, err
		}
		if tooLong {
			items = append(items, item{line: n, err: tooLarge("body")})
		} else if t := bytes.TrimSpace(line); len(t) > 0 {
			items = append(items, item{line: n, raw: t})
		}
		if err == io.EOF {
			if len(items) == 0 {
				return nil, derrors.Invalid("body", "no observations in the JSON Lines body")
			}
			return items, nil
		}
	}
}

func readArray(br *bufio.Reader) ([]item, error) {
	dec := json.NewDecoder(br)
	if _, err := dec.Token(); err != nil { // the '['
		return nil, arrayError(err, 0)
	}
	var items []item
	for n := 1; dec.More(); n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, arrayError(err, n)
		}
		it := item{line: n, raw: raw}
		if len(raw) > observation.MaxBytes {
			it = item{line: n, err: tooLarge("body")}
		}
		items = append(items, it)
	}
	if _, err := dec.Token(); err != nil { // the ']'
		return nil, arrayError(err, len(items))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, derrors.Invalid("body", "unexpected data after the JSON array")
	}
	if len(items) == 0 {
		return nil, derrors.Invalid("body", "empty JSON array")
	}
	return items, nil
}

func arrayError(err error, n int) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return derrors.Invalid("body", "malformed JSON array at element %d: %v", n, err)
}

// prepare parses, checks signatures and prepares every item, in parallel
// across h.workers goroutines for large batches.
func (h *Handler) prepare(items []item, u *auth.User, now time.Time) {
	one := func(it *item) {
		if it.err != nil {
			return
		}
		it.prep, it.err = ingest.Prepare(u, it.raw, now)
	}
	if len(items) < 8 || h.workers == 1 {
		for i := range items {
			one(&items[i])
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (len(items) + h.workers - 1) / h.workers
	for start := 0; start < len(items); start += chunk {
		part := items[start:min(start+chunk, len(items))]
		wg.Go(func() {
			for i := range part {
				one(&part[i])
			}
		})
	}
	wg.Wait()
}
