package web_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
	"truce/internal/web"
)

type checkpoints []byte

func (c checkpoints) LatestCheckpoint(context.Context) ([]byte, error) { return c, nil }

// elements parses an HTML page leniently and returns its elements with
// their attributes and text.
type element struct {
	name  string
	attrs map[string]string
	text  string
}

func parse(t *testing.T, page string) []element {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var out []element
	var open []int
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("page does not parse: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			e := element{name: x.Name.Local, attrs: map[string]string{}}
			for _, a := range x.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
			open = append(open, len(out)-1)
		case xml.EndElement:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		case xml.CharData:
			for _, i := range open {
				out[i].text += string(x)
			}
		}
	}
}

func TestIndex(t *testing.T) {
	skey, vkey, _ := ledger.GenerateKey("example.org/log")
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	cp, _ := ledger.SignCheckpoint(signer, "example.org/log", 354, tlog.Hash{7})
	h, err := web.NewHandler(web.Config{Checkpoints: checkpoints(cp), LogVerifier: verifier, DefaultDay: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("index: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	els := parse(t, rec.Body.String())
	find := func(name string, attr, val string) *element {
		for i := range els {
			if els[i].name == name && (attr == "" || els[i].attrs[attr] == val) {
				return &els[i]
			}
		}
		return nil
	}
	checks := []struct {
		what string
		ok   bool
	}{
		{"html lang=en", find("html", "lang", "en") != nil},
		{"a title", find("title", "", "") != nil && find("title", "", "").text != ""},
		{"one h1", find("h1", "", "") != nil},
		{"the date input has a label", find("label", "for", "day") != nil && find("input", "id", "day") != nil},
		{"the form offers the default day", find("input", "value", "2025-06-01") != nil},
		{"the checkpoint size is shown", find("dd", "", "") != nil && strings.Contains(rec.Body.String(), "<dd>354</dd>")},
		{"a link to the checkpoint", find("a", "href", "/ledger/checkpoint") != nil},
		{"a link to the OpenAPI document", find("a", "href", "/api/v1/openapi.json") != nil},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("index: %s: no", c.what)
		}
	}
}

func TestReportForm(t *testing.T) {
	h, err := web.NewHandler(web.Config{Checkpoints: checkpoints(nil)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query, location string
		status          int
	}{
		{"day=2025-06-01", "/api/v1/reports/daily/2025-06-01?format=html", http.StatusSeeOther},
		{"day=1%20June", "", http.StatusBadRequest},
		{"", "", http.StatusBadRequest},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/reports/daily?"+tt.query, nil))
		if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
			t.Errorf("%s: %d %q, want %d %q", tt.query, rec.Code, rec.Header().Get("Location"), tt.status, tt.location)
		}
	}
}
