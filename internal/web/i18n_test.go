package web

import (
	"io/fs"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"truce/internal/auth"
	"truce/internal/report"

	"truce/internal/finding"
	"truce/internal/incident"
	"truce/internal/observation"
)

// TestCataloguesComplete checks that every message exists in all three
// languages, takes the same arguments in each, and that every key the
// templates and the code use, and every value of the vocabularies the
// pages translate, is in the catalogues.
func TestCataloguesComplete(t *testing.T) {
	cs, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	verbs := regexp.MustCompile(`%(\[\d\])?[sdv]`)
	countVerbs := func(s string) int { return len(verbs.FindAllString(s, -1)) }
	for _, lang := range languages {
		for key := range cs["en"] {
			text, ok := cs[lang][key]
			if !ok {
				t.Errorf("%s: no %q", lang, key)
				continue
			}
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %q is empty", lang, key)
			}
			if countVerbs(text) != countVerbs(cs["en"][key]) {
				t.Errorf("%s: %q takes %d arguments, English %d", lang, key, countVerbs(text), countVerbs(cs["en"][key]))
			}
		}
		for key := range cs[lang] {
			if _, ok := cs["en"][key]; !ok {
				t.Errorf("%s: %q is not in English", lang, key)
			}
		}
	}

	// The keys named literally in templates and code.
	used := map[string]bool{}
	literal := regexp.MustCompile(`\.T "([a-z0-9_.]+)"|\bT\("([a-z0-9_.]+)"|Key: "([a-z0-9_.]+)"|"(signin\.[a-z]+)"\)`)
	files, _ := fs.Glob(templateFS, "templates/*.html")
	var sources []string
	for _, f := range files {
		b, _ := fs.ReadFile(templateFS, f)
		sources = append(sources, string(b))
	}
	for _, f := range []string{"web.go", "pages.go", "incidents.go", "session.go", "api.go", "svg.go", "i18n.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, string(b))
	}
	for _, src := range sources {
		for _, m := range literal.FindAllStringSubmatch(src, -1) {
			for _, k := range m[1:] {
				if k != "" && !strings.HasSuffix(k, ".") { // a prefix: the vocabularies below
					used[k] = true
				}
			}
		}
	}
	// The vocabularies the pages translate by prefix.
	for _, d := range observation.Domains() {
		used["domain."+string(d)] = true
		for _, k := range observation.Kinds(d) {
			used["kind."+string(k)] = true
		}
	}
	for _, s := range observation.Sources() {
		used["source."+string(s)] = true
	}
	for _, s := range incident.Statuses() {
		used["status."+string(s)] = true
	}
	for _, c := range []incident.Confidence{incident.Low, incident.Medium, incident.High} {
		used["confidence."+string(c)] = true
	}
	for _, k := range []incident.DecisionKind{incident.Merge, incident.Split, incident.SetStatus, incident.Attribute} {
		used["decision."+string(k)] = true
	}
	for _, s := range finding.States() {
		used["finding."+string(s)] = true
	}
	for _, r := range []string{"parties", "public"} {
		used["release."+r] = true
	}
	for _, r := range auth.Roles() {
		used["role."+string(r)] = true
	}
	for m := 1; m <= 12; m++ {
		used["month."+strconv.Itoa(m)] = true
	}
	if len(used) < 150 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for key := range used {
		if _, ok := cs["en"][key]; !ok {
			t.Errorf("%q is used but not in the catalogues", key)
		}
	}
}

func TestAcceptLanguage(t *testing.T) {
	for _, tt := range []struct{ header, want string }{
		{"", "en"},
		{"uk", "uk"},
		{"uk-UA,uk;q=0.9", "uk"},
		{"ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"},
		{"en;q=0.3, ru;q=0.5", "ru"},
		{"de, fr;q=0.8", "en"},
		{"uk;q=abc, ru;q=0.1", "ru"},
		{"uk;q=2, ru;q=0.1", "ru"},
		{"*", "en"},
		{strings.Repeat("xx, ", 1000) + "uk", "en"},
	} {
		if got := acceptLanguage(tt.header); got != tt.want {
			t.Errorf("acceptLanguage(%.40q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}

func TestNumbersAndDates(t *testing.T) {
	cs, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang      string
		n         int
		num, date string
	}{
		{"en", 1234567, "1,234,567", "1 June 2025"},
		{"uk", 1234567, "1\u00a0234\u00a0567", "1 червня 2025"},
		{"ru", -4500, "-4\u00a0500", "1 июня 2025"},
		{"en", 472, "472", "1 June 2025"},
	} {
		v := &viewer{Lang: tt.lang, cat: cs}
		if got := v.Num(tt.n); got != tt.num {
			t.Errorf("%s Num(%d) = %q, want %q", tt.lang, tt.n, got, tt.num)
		}
		if got := v.Date("2025-06-01"); got != tt.date {
			t.Errorf("%s Date = %q, want %q", tt.lang, got, tt.date)
		}
	}
}

// TestContrast checks the stylesheet's text colours against their
// backgrounds: at least 4.5:1 (WCAG 2 AA for body text).
func TestContrast(t *testing.T) {
	css, err := fs.ReadFile(staticFS, "static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	pairs := []struct{ fg, bg string }{
		{"ink", "bg"}, {"muted", "bg"}, {"link", "bg"}, {"ok", "bg"}, {"warn", "bg"}, {"error", "bg"},
		{"head-ink", "head"}, {"ink", "panel"}, {"muted", "panel"}, {"link", "panel"}, {"bg", "link"},
	}
	for _, p := range pairs {
		fg, bg := vars[p.fg], vars[p.bg]
		if fg == "" || bg == "" {
			t.Errorf("no colour --%s or --%s in style.css", p.fg, p.bg)
			continue
		}
		if r := contrast(fg, bg); r < 4.5 {
			t.Errorf("--%s %s on --%s %s: contrast %.2f, want at least 4.5", p.fg, fg, p.bg, bg, r)
		}
	}
	// The charts' text and bars, drawn in svg.go.
	for _, c := range []string{inkColor, "#2f6f9f", "#a4463f"} {
		if r := contrast(c, "#ffffff"); r < 4.5 {
			t.Errorf("chart colour %s on white: %.2f", c, r)
		}
	}
}

// contrast is the WCAG 2 contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

// TestLanguagesMatchReport: the pages and the daily report offer the same
// languages, so the report page is always in the page's language.
func TestLanguagesMatchReport(t *testing.T) {
	if got, want := strings.Join(report.Languages(), " "), strings.Join(languages, " "); got != want {
		t.Errorf("report.Languages() = %q, want %q as the pages", got, want)
	}
}
