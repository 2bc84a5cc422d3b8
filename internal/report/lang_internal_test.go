package report

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestSentencesTranslated requires a Ukrainian and a Russian translation of
// every English sentence a report carries as data: the method, the notes
// and reasons Build writes (read from the source, so that a new one cannot
// be missed), the sources' licences and notes, and the issuers' names.
func TestSentencesTranslated(t *testing.T) {
	cats, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]string{}, method...), notableMethod...)
	for _, s := range []Source{sourceBulletins, sourceOfficial, sourceVolunteer, sourceMerged, sourceBoundaries} {
		want = append(want, s.Licence)
		if s.Note != "" {
			want = append(want, s.Note)
		}
	}
	for _, p := range []string{"kpszsu", "generalstaff.ua", "pvkpivden", "pvkshid", "pvkzahid", "pvkcentr"} {
		want = append(want, issuer(p))
	}
	src, err := os.ReadFile("report.go")
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`(?:r\.Notes = append\(r\.Notes, |row\.Reason = )("(?:[^"\\]|\\.)*")`)
	found := 0
	for _, m := range lit.FindAllSubmatch(src, -1) {
		s, err := strconv.Unquote(string(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, s)
		found++
	}
	if found < 7 {
		t.Fatalf("found %d notes and reasons in report.go: the scan is broken", found)
	}
	for _, l := range []string{"uk", "ru"} {
		for _, s := range want {
			if s == "MIT" || s == "ODbL 1.0" {
				continue // licences' names
			}
			if _, ok := cats[l].Sentences[s]; !ok {
				t.Errorf("%s: no translation of %q", l, s)
			}
		}
	}
}
