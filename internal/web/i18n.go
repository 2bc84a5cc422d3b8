package web

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"truce/internal/report"
)

// The interface languages, English first (the fallback).
var languages = []string{"en", "uk", "ru"}

//go:embed i18n/*.json
var i18nFS embed.FS

// catalogue maps a message key to its text in one language. Texts are
// fmt formats where the message takes arguments.
type catalogue map[string]string

// catalogues holds one catalogue per language.
type catalogues map[string]catalogue

func loadCatalogues() (catalogues, error) {
	cs := catalogues{}
	for _, lang := range languages {
		b, err := i18nFS.ReadFile("i18n/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("web: catalogue %s: %w", lang, err)
		}
		var c catalogue
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("web: catalogue %s: %w", lang, err)
		}
		cs[lang] = c
	}
	return cs, nil
}

// langCookie keeps the language chosen with ?lang=.
const langCookie = "truce_lang"

// chooseLang picks the page's language: ?lang= (which the response then
// keeps in a cookie), else the cookie, else the best of Accept-Language,
// else English.
func chooseLang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(languages, l) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && slices.Contains(languages, c.Value) {
		return c.Value
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage returns the supported language the header prefers most,
// or English. The pages and the daily report share one reading of the
// header (report.AcceptLanguage) and the same three languages.
func acceptLanguage(header string) string { return report.AcceptLanguage(header) }

// langLink is a link to the same page in another language.
type langLink struct {
	Lang, Name, Href string
	Current          bool
}

func (v *viewer) langLinks(r *http.Request) []langLink {
	var out []langLink
	for _, l := range languages {
		q := r.URL.Query()
		q.Set("lang", l)
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		out = append(out, langLink{Lang: l, Name: v.cat[l]["lang.name"], Href: u.String(), Current: l == v.Lang})
	}
	return out
}

// T returns the message key in the viewer's language, formatted with args;
// a key missing from the catalogue shows as the English text, or the key.
func (v *viewer) T(key string, args ...any) string {
	s, ok := v.cat[v.Lang][key]
	if !ok {
		s = cmp.Or(v.cat["en"][key], key)
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Num formats an integer with the language's digit grouping.
func (v *viewer) Num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if v.Lang != "en" {
		sep = "\u00a0" // a no-break space, as Ukrainian and Russian group digits
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Num64 formats an int64 as Num does.
func (v *viewer) Num64(n int64) string { return v.Num(int(n)) }

// Date formats a day ("2025-06-01" or a time) as the language writes it:
// 1 June 2025, 1 червня 2025, 1 июня 2025.
func (v *viewer) Date(d any) string {
	var t time.Time
	switch x := d.(type) {
	case time.Time:
		t = x
	case string:
		var err error
		if t, err = time.Parse(time.DateOnly, x); err != nil {
			return x
		}
	default:
		return fmt.Sprint(d)
	}
	return fmt.Sprintf("%d %s %d", t.Day(), v.T("month."+strconv.Itoa(int(t.Month()))), t.Year())
}

// Time formats an instant in UTC: the date, then hours and minutes.
func (v *viewer) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.UTC()
	return v.Date(t) + ", " + t.Format("15:04") + " UTC"
}

// Region names a region code in the viewer's language.
func (v *viewer) Region(code string) string {
	if code == "" {
		return "—"
	}
	s, ok := v.regions[code]
	if !ok {
		return code
	}
	switch v.Lang {
	case "uk":
		return cmp.Or(s.NameUK, s.Name)
	case "ru":
		return cmp.Or(s.NameRU, s.Name)
	}
	return s.Name
}

// regionCodes returns the codes of the regions, sorted.
func (v *viewer) regionCodes() []string {
	codes := make([]string, 0, len(v.regions))
	for c := range v.regions {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}
