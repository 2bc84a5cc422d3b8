package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"truce/internal/derrors"
	"truce/internal/report"
)

// TestLanguageGolden renders the reports of 1 June 2025, with and without
// the fixture's incidents, in Markdown and HTML in Ukrainian; go test
// -update rewrites the goldens.
func TestLanguageGolden(t *testing.T) {
	rd, err := report.NewRenderer(boundaries(t))
	if err != nil {
		t.Fatal(err)
	}
	uk := rd.InLanguage("uk")
	plain := dailyReport(t, "2025-06-01")
	incs := incidentsReport(t, report.ViewStaff, fixtureIncidents())
	for _, f := range []report.Format{report.Markdown, report.HTML} {
		var b bytes.Buffer
		if err := uk.Render(&b, plain, f); err != nil {
			t.Fatal(err)
		}
		compareGolden(t, "2025-06-01.uk."+string(f)+".golden", b.Bytes())
		b.Reset()
		if err := uk.LinkIncidents("/incidents").Render(&b, incs, f); err != nil {
			t.Fatal(err)
		}
		compareGolden(t, "2025-06-01-incidents.uk."+string(f)+".golden", b.Bytes())
	}
}

// TestLanguageJSON checks that the JSON is the same in every language: it
// is a contract, and its sentences stay English.
func TestLanguageJSON(t *testing.T) {
	rd, err := report.NewRenderer(boundaries(t))
	if err != nil {
		t.Fatal(err)
	}
	r := incidentsReport(t, report.ViewReleased, fixtureIncidents())
	var en bytes.Buffer
	if err := rd.Render(&en, r, report.JSON); err != nil {
		t.Fatal(err)
	}
	for _, l := range report.Languages() {
		var b bytes.Buffer
		if err := rd.InLanguage(l).Render(&b, r, report.JSON); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), en.Bytes()) {
			t.Errorf("%s: the JSON differs from English", l)
		}
	}
}

// englishPhrases returns the English catalogue's fixed text cut at its
// arguments into phrases of at least two words, and every English
// sentence the other catalogues translate.
func englishPhrases(t *testing.T) []string {
	t.Helper()
	var en struct {
		Text map[string]string `json:"text"`
	}
	b, err := os.ReadFile("i18n/en.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &en); err != nil {
		t.Fatal(err)
	}
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-z]`)
	var out []string
	for _, text := range en.Text {
		for _, part := range verb.Split(text, -1) {
			part = strings.Trim(part, " ,.:;()–")
			if len(strings.Fields(part)) >= 2 {
				out = append(out, part)
			}
		}
	}
	var uk struct {
		Sentences map[string]string `json:"sentences"`
	}
	b, err = os.ReadFile("i18n/uk.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &uk); err != nil {
		t.Fatal(err)
	}
	for s := range uk.Sentences {
		out = append(out, s)
	}
	// The map's own phrases (package mapsvg).
	out = append(out, "drawn", "binned into", "without a position")
	// Region names in English.
	out = append(out, "Oblast", "Autonomous Republic")
	return out
}

// TestNoEnglishLeft renders Ukrainian and Russian reports (with and without
// air figures and incidents, in the staff and the released view) and
// requires that no English phrase of the report's fixed text, nor of the
// maps', remains in them.
func TestNoEnglishLeft(t *testing.T) {
	rd, err := report.NewRenderer(boundaries(t))
	if err != nil {
		t.Fatal(err)
	}
	phrases := englishPhrases(t)
	if len(phrases) < 100 {
		t.Fatalf("only %d English phrases: the scan is broken", len(phrases))
	}
	reports := map[string]report.Report{
		"2025-06-01":           dailyReport(t, "2025-06-01"),
		"2024-01-15":           dailyReport(t, "2024-01-15"),
		"1999-01-01 (no data)": dailyReport(t, "1999-01-01"),
		"staff":                incidentsReport(t, report.ViewStaff, fixtureIncidents()),
		"released":             incidentsReport(t, report.ViewReleased, fixtureIncidents()[:2]),
		"released, none":       incidentsReport(t, report.ViewReleased, nil),
	}
	for _, l := range []string{"uk", "ru"} {
		for name, r := range reports {
			for _, f := range []report.Format{report.Markdown, report.HTML} {
				var b bytes.Buffer
				if err := rd.InLanguage(l).Render(&b, r, f); err != nil {
					t.Fatal(err)
				}
				out := b.String()
				if f == report.HTML {
					if !strings.Contains(out, `<html lang="`+l+`">`) {
						t.Errorf("%s %s: no <html lang=%q>", l, name, l)
					}
					_, out, _ = strings.Cut(out, "</style>") // the stylesheet is not text
				}
				// The sources' names, publishers and attributions are
				// citations, kept as the sources write them.
				for _, src := range r.Sources {
					for _, c := range []string{src.Name, src.Publisher, src.Attribution} {
						out = strings.ReplaceAll(out, c, "")
						out = strings.ReplaceAll(out, htmlEscape(c), "")
					}
				}
				for _, p := range phrases {
					if strings.Contains(out, p) {
						t.Errorf("%s %s %s: English left: %q", l, name, f, p)
					}
				}
			}
		}
	}
}

// TestCatalogues requires every message in every language with the same
// arguments.
func TestCatalogues(t *testing.T) {
	type cat struct {
		Text      map[string]string `json:"text"`
		Sentences map[string]string `json:"sentences"`
	}
	cs := map[string]cat{}
	files, err := fs.Glob(os.DirFS("i18n"), "*.json")
	if err != nil || len(files) != 3 {
		t.Fatalf("catalogues: %v %v", files, err)
	}
	for _, l := range report.Languages() {
		b, err := os.ReadFile("i18n/" + l + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var c cat
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		cs[l] = c
	}
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-z]`)
	for _, l := range []string{"uk", "ru"} {
		for k, en := range cs["en"].Text {
			got, ok := cs[l].Text[k]
			if !ok {
				t.Errorf("%s: no %q", l, k)
				continue
			}
			if a, b := verbs.FindAllString(got, -1), verbs.FindAllString(en, -1); strings.Join(a, " ") != strings.Join(b, " ") {
				t.Errorf("%s: %q takes %v, English %v", l, k, a, b)
			}
		}
		for k, s := range cs[l].Sentences {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: sentence %q is empty", l, k)
			}
		}
		if len(cs[l].Sentences) != len(cs["uk"].Sentences) {
			t.Errorf("%s has %d sentences, Ukrainian %d", l, len(cs[l].Sentences), len(cs["uk"].Sentences))
		}
	}
}

func htmlEscape(s string) string {
	var b strings.Builder
	template.HTMLEscape(&b, []byte(s))
	return b.String()
}

func TestParseLang(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"", "en", true}, {"en", "en", true}, {"uk", "uk", true}, {"ru", "ru", true},
		{"UK", "", false}, {"de", "", false}, {"uk-UA", "", false}, {strings.Repeat("u", 1000), "", false},
	} {
		got, err := report.ParseLang(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseLang(%.20q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("ParseLang(%.20q): %v is not ErrInvalid", tt.in, err)
		}
	}
}

func TestAcceptLanguage(t *testing.T) {
	for _, tt := range []struct{ header, want string }{
		{"", "en"},
		{"uk", "uk"},
		{"uk-UA,uk;q=0.9,en;q=0.8", "uk"},
		{"ru-RU,ru;q=0.9,en-US;q=0.8", "ru"},
		{"en;q=0.3, ru;q=0.5", "ru"},
		{"de, fr;q=0.8", "en"},
		{"uk;q=abc, ru;q=0.1", "ru"},
		{"uk;q=2", "en"},
		{strings.Repeat("de,", 5000) + "uk", "en"},
	} {
		if got := report.AcceptLanguage(tt.header); got != tt.want {
			t.Errorf("AcceptLanguage(%.40q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
