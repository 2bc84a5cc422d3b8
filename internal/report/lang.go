package report

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"truce/internal/derrors"
	"truce/internal/region"
)

// Languages are the languages a Renderer writes Markdown and HTML in,
// English first (the default).
var languages = []string{"en", "uk", "ru"}

// Languages returns the languages a Renderer writes: "en", "uk", "ru".
func Languages() []string { return slices.Clone(languages) }

// ParseLang returns the language named s ("en", "uk" or "ru"; "" is
// English), or an error wrapping derrors.ErrInvalid.
func ParseLang(s string) (string, error) {
	if s == "" {
		return "en", nil
	}
	if slices.Contains(languages, s) {
		return s, nil
	}
	return "", fmt.Errorf("report: language %q: want en, uk or ru: %w", s, derrors.ErrInvalid)
}

// AcceptLanguage returns the language of ours that an Accept-Language
// header prefers most, or English when it names none (or is malformed).
func AcceptLanguage(header string) string {
	best, bestQ := "en", 0.0
	if len(header) > 1000 {
		header = header[:1000]
	}
	for i, part := range strings.Split(header, ",") {
		if i >= 20 {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if slices.Contains(languages, primary) && q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}

//go:embed i18n/*.json
var i18nFS embed.FS

// catalogue is one language's fixed text: Text maps a message key to a
// fmt format; Sentences maps an English sentence the report carries as
// data (its notes, method, reasons, the sources' licences and notes, the
// bulletins' issuers) to its translation. English has no Sentences.
type catalogue struct {
	Text      map[string]string `json:"text"`
	Sentences map[string]string `json:"sentences"`
}

// loadCatalogues reads the embedded catalogues, adding to each language's
// sentences the method's sentences that take numbers.
func loadCatalogues() (map[string]*catalogue, error) {
	cs := map[string]*catalogue{}
	for _, l := range languages {
		b, err := i18nFS.ReadFile("i18n/" + l + ".json")
		if err != nil {
			return nil, fmt.Errorf("report: catalogue %s: %w", l, err)
		}
		c := &catalogue{}
		if err := json.Unmarshal(b, c); err != nil {
			return nil, fmt.Errorf("report: catalogue %s: %w", l, err)
		}
		if c.Sentences == nil {
			c.Sentences = map[string]string{}
		}
		cs[l] = c
	}
	en := cs["en"].Text
	for _, l := range languages[1:] {
		c := cs[l]
		c.Sentences[fmt.Sprintf(en["method.notable"], MaxNotable)] = fmt.Sprintf(c.Text["method.notable"], MaxNotable)
		c.Sentences[fmt.Sprintf(en["method.listed"], MaxListed, MaxListed)] = fmt.Sprintf(c.Text["method.listed"], MaxListed, MaxListed)
	}
	return cs, nil
}

// words writes a report's fixed text in one language.
type words struct {
	lang string
	c    *catalogue
	en   *catalogue
	// regions are the subdivisions by code, for their names in lang.
	regions map[string]region.Subdivision
}

// T returns the message key formatted with args, falling back to English
// and then to the key itself.
func (t words) T(key string, args ...any) string {
	s, ok := t.c.Text[key]
	if !ok {
		s = cmp.Or(t.en.Text[key], key)
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// S translates a sentence the report carries as data, or returns it as
// it is.
func (t words) S(sentence string) string {
	if s, ok := t.c.Sentences[sentence]; ok {
		return s
	}
	return sentence
}

// Term names a value of a vocabulary (prefix "domain", "kind", "status",
// "feed") in the language; English, and any value the catalogue lacks,
// keep the value as recorded.
func (t words) Term(prefix, v string) string {
	if s, ok := t.c.Text[prefix+"."+v]; ok {
		return s
	}
	return v
}

// Kind names an incident's kind for a sentence, capitalised: "Drone",
// "Дрон".
func (t words) Kind(k string) string {
	if t.lang == "en" {
		return humanKind(k)
	}
	s := t.Term("kind", k)
	if s == k {
		return humanKind(k)
	}
	r := []rune(s)
	return strings.ToUpper(string(r[:1])) + string(r[1:])
}

// Region names a region: in English as the report's data names it (name),
// in the other languages by its code.
func (t words) Region(code, name string) string {
	if t.lang == "en" {
		return cmp.Or(name, code)
	}
	if code == "" {
		return t.T("region.none")
	}
	s, ok := t.regions[code]
	switch {
	case !ok:
		return cmp.Or(name, code)
	case t.lang == "uk":
		return cmp.Or(s.NameUK, s.Name)
	case t.lang == "ru":
		return cmp.Or(s.NameRU, s.Name)
	}
	return s.Name
}

// Plural picks the key's plural form for n: key+".one", ".few" or ".many"
// (Ukrainian and Russian have three; English uses one and many).
func (t words) Plural(key string, n int) string {
	if t.lang == "en" {
		if n == 1 {
			return key + ".one"
		}
		return key + ".many"
	}
	switch m10, m100 := n%10, n%100; {
	case m10 == 1 && m100 != 11:
		return key + ".one"
	case m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14):
		return key + ".few"
	}
	return key + ".many"
}

// regionCode is the list's region column: the code, as the English list
// writes it, or the region's name in the other languages.
func (t words) RegionCode(code string) string {
	if t.lang == "en" || code == "" {
		return code
	}
	return t.Region(code, code)
}
