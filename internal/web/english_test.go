package web_test

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"

	"truce/internal/auth"
)

// TestNoEnglishOnTranslatedPages reads every page in Ukrainian and Russian,
// as the public and as an analyst, and requires that every run of three or
// more English words on it is data as recorded — the sources' citations in
// the daily report, the findings' and observations' own text — found in
// what the API answers (the observations' narratives among them), never
// interface text.
func TestNoEnglishOnTranslatedPages(t *testing.T) {
	fx := shared(t)
	analyst := fx.tokens[auth.Analyst]
	// The data the pages show as recorded, as the API gives it.
	var data strings.Builder
	for _, p := range []string{
		"/api/v1/reports/daily/2025-06-01",
		"/api/v1/incidents/" + fx.incident, "/api/v1/incidents/" + fx.released,
		"/api/v1/findings?incident=" + fx.incident, "/api/v1/findings?incident=" + fx.released,
	} {
		_, body := fx.get(t, p, bearer(analyst))
		data.WriteString(body)
		var inc struct {
			Observations []string `json:"observations"`
		}
		if json.Unmarshal([]byte(body), &inc) == nil {
			for _, id := range inc.Observations {
				_, obs := fx.get(t, "/api/v1/observations/"+id, bearer(analyst))
				data.WriteString(obs)
			}
		}
	}
	english := regexp.MustCompile(`[A-Za-z][A-Za-z'’-]+(?:[ ,]+[A-Za-z][A-Za-z'’-]+){2,}`)
	tags := regexp.MustCompile(`(?s)<style.*?</style>|<[^>]*>`)
	for _, lang := range []string{"uk", "ru"} {
		for _, p := range []string{"/", "/reports/daily/2025-06-01", "/reports/daily/1999-01-01", "/incidents", "/incidents/" + fx.incident,
			"/incidents/" + fx.released, "/ledger", "/signin", "/incidents/nope"} {
			for _, tok := range []string{"", analyst} {
				_, body := fx.get(t, p+"?lang="+lang, bearer(tok))
				_, body, _ = strings.Cut(body, "<body>")
				text := html.UnescapeString(tags.ReplaceAllString(body, "\n"))
				for _, m := range english.FindAllString(text, -1) {
					if !strings.Contains(data.String(), m) {
						t.Errorf("%s %s (signed in %v): English text %q", lang, p, tok != "", m)
					}
				}
			}
		}
	}
}
