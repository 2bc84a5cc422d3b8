package region

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"truce/data"
)

func TestCode(t *testing.T) {
	tests := []struct {
		name string
		want string // "" means not found
	}{
		{"Kyivska oblast", "UA-32"},
		{"Kyiv City", "UA-30"},
		{"Kyiv Oblast", "UA-32"},
		{"Kyiv oblast", "UA-32"},
		{"Kyiv", "UA-30"},
		{"Kiev", "UA-30"},
		{"kyiv region", "UA-32"},
		{"City of Kyiv", "UA-30"},
		{"Київська область", "UA-32"},
		{"Київська обл.", "UA-32"},
		{"Киевская область", "UA-32"},
		{"м. Київ", "UA-30"},
		{"г. Киев", "UA-30"},
		{"Київ", "UA-30"},
		{"Odessa Oblast", "UA-51"},
		{"Odeska oblast", "UA-51"},
		{"Odes'ka oblast", "UA-51"},
		{"Odes’ka oblast", "UA-51"},
		{"Odesa oblast", "UA-51"},
		{"Одеська область", "UA-51"},
		{"Одесская обл", "UA-51"},
		{"Vinnytsia", "UA-05"},
		{"Vinnitsa", "UA-05"},
		{"Vinnytska oblast", "UA-05"},
		{"  VINNYTSIA   oblast ", "UA-05"},
		{"Zaporizka oblast", "UA-23"},
		{"Zaporizhia Oblast", "UA-23"},
		{"Zaporizhzhia oblast", "UA-23"},
		{"Zaporiz'ka oblast", "UA-23"},
		{"Запорізька область", "UA-23"},
		{"Ivano-Frankivsk Oblast", "UA-26"},
		{"Ivano Frankivska oblast", "UA-26"},
		{"Ivano–Frankivsk", "UA-26"},
		{"Khmelnytskyi oblast", "UA-68"},
		{"Khmelnytska oblast", "UA-68"},
		{"Chernivetska oblast", "UA-77"},
		{"Chernivtsi Oblast", "UA-77"},
		{"Chernihivska oblast", "UA-74"},
		{"Dnipropetrovsk oblas", "UA-12"}, // typo in the bulletins
		{"Dnipro", "UA-12"},
		{"Kryvyi Rih", "UA-12"},
		{"Kharkiv", "UA-63"},
		{"Kharkov", "UA-63"},
		{"Харківська область", "UA-63"},
		{"Lutsk", "UA-07"},
		{"Starokostiantyniv", "UA-68"},
		{"Kremenchuk", "UA-53"},
		{"Crimea", "UA-43"},
		{"Autonomous Republic of Crimea", "UA-43"},
		{"Автономна Республіка Крим", "UA-43"},
		{"Республика Крым", "UA-43"},
		{"Sevastopol", "UA-40"},
		{"Севастополь", "UA-40"},
		{"m. Sevastopol", "UA-40"},
		{"Luhansk Oblast", "UA-09"},
		{"Луганська область", "UA-09"},
		{"UA-32", "UA-32"},
		// Not Ukrainian subdivisions, or not subdivisions at all.
		{"Kursk oblast", ""},
		{"Bryansk oblast", ""},
		{"Rostov oblast", ""},
		{"Black Sea", ""},
		{"Ukraine", ""},
		{"south", ""},
		{"front line", ""},
		{"", ""},
		{"oblast", ""},
		{"Kyiv city oblast", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Code(tt.name)
			if tt.want == "" {
				if ok {
					t.Errorf("Code(%q) = %q, true; want not found", tt.name, got)
				}
				return
			}
			if !ok || got != tt.want {
				t.Errorf("Code(%q) = %q, %v; want %q, true", tt.name, got, ok, tt.want)
			}
		})
	}
}

// TestTableSelfConsistent checks every spelling in the table maps back to
// its own subdivision, so no spelling is claimed by two codes by accident.
func TestTableSelfConsistent(t *testing.T) {
	for _, e := range table {
		want := e.Code
		check := func(name string) {
			t.Helper()
			if got, ok := Code(name); !ok || got != want {
				t.Errorf("Code(%q) = %q, %v; want %q", name, got, ok, want)
			}
		}
		check(e.Name)
		check(e.NameUK)
		check(e.NameRU)
		for _, s := range e.stems {
			check(s + " oblast")
			check(s + " область")
		}
		for _, c := range e.cities {
			if want == "UA-32" || normalize(c) != "kyiv" {
				check(c)
			}
		}
		for _, o := range e.other {
			check(o)
		}
	}
}

func TestNameValid(t *testing.T) {
	if n := len(All()); n != 27 {
		t.Fatalf("len(All()) = %d, want 27", n)
	}
	for _, s := range All() {
		if !Valid(s.Code) {
			t.Errorf("Valid(%q) = false", s.Code)
		}
		if got := Name(s.Code); got != s.Name || got == "" {
			t.Errorf("Name(%q) = %q, want %q", s.Code, got, s.Name)
		}
		if got, ok := Code(s.Name); !ok || got != s.Code {
			t.Errorf("Code(Name(%q)) = %q, %v", s.Code, got, ok)
		}
	}
	tests := []struct {
		code string
		name string
	}{
		{"UA-30", "Kyiv"}, {"UA-32", "Kyiv Oblast"}, {"UA-43", "Autonomous Republic of Crimea"},
		{"UA-40", "Sevastopol"}, {"UA-51", "Odesa Oblast"}, {"UA-99", ""}, {"ua-32", ""}, {"", ""},
	}
	for _, tt := range tests {
		if got := Name(tt.code); got != tt.name {
			t.Errorf("Name(%q) = %q, want %q", tt.code, got, tt.name)
		}
		if got := Valid(tt.code); got != (tt.name != "") {
			t.Errorf("Valid(%q) = %v", tt.code, got)
		}
	}
}

// notRegions are the values of region-bearing columns in the shipped files
// that do not name a subdivision: the country, directions, the front.
var notRegions = map[string]bool{
	"": true, "Ukraine": true, "south": true, "north": true, "east": true, "west": true,
	"center": true, "front line": true,
}

// TestEveryShippedName walks every region name in every shipped file and
// requires each to map to a code.
func TestEveryShippedName(t *testing.T) {
	names := map[string][]string{} // name → where seen
	add := func(where, name string) {
		name = strings.TrimSpace(name)
		if notRegions[name] {
			return
		}
		names[name] = append(names[name], where)
	}
	csvColumn := func(file string, cols ...string) {
		t.Helper()
		forEachRow(t, file, func(row map[string]string) {
			for _, c := range cols {
				add(file+":"+c, row[c])
			}
		})
	}
	csvColumn(data.AlertsMerged2025, "region")
	csvColumn(data.AlertsOfficial2024, "oblast")
	csvColumn(data.AlertsVolunteer2024, "region")
	forEachRow(t, data.Bulletins, func(row map[string]string) {
		// target and target_main name one place or several joined by " and " or ", ".
		for _, c := range []string{"target", "target_main"} {
			for _, part := range splitAny(row[c], " and ", ",") {
				add(data.Bulletins+":"+c, part)
			}
		}
		// "affected region" is a Python list of names.
		for _, part := range pyList(row["affected region"]) {
			add(data.Bulletins+":affected region", part)
		}
		// destroyed_details is a Python dict keyed by direction or oblast.
		for _, k := range pyDictKeys(row["destroyed_details"]) {
			add(data.Bulletins+":destroyed_details", k)
		}
	})
	f, err := data.FS().Open(data.Oblasts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fc struct {
		Features []struct {
			Properties struct{ ShapeName, ShapeISO string }
		}
	}
	if err := json.NewDecoder(f).Decode(&fc); err != nil {
		t.Fatal(err)
	}
	for _, ft := range fc.Features {
		add(data.Oblasts, ft.Properties.ShapeName)
		if got, _ := Code(ft.Properties.ShapeName); got != ft.Properties.ShapeISO {
			t.Errorf("Code(%q) = %q, want the file's shapeISO %q", ft.Properties.ShapeName, got, ft.Properties.ShapeISO)
		}
	}
	if len(names) < 50 {
		t.Errorf("only %d distinct names found; the walk is broken", len(names))
	}
	for name, where := range names {
		if _, ok := Code(name); !ok {
			t.Errorf("Code(%q) not found (in %s, %d times)", name, where[0], len(where))
		}
	}
}

func forEachRow(t *testing.T, file string, fn func(map[string]string)) {
	t.Helper()
	f, err := data.FS().Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			row[h] = rec[i]
		}
		fn(row)
	}
}

func splitAny(s string, seps ...string) []string {
	parts := []string{s}
	for _, sep := range seps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	return parts
}

// pyList parses "['a', 'b']".
func pyList(s string) []string {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]")
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.Trim(strings.TrimSpace(p), `'"`); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// pyDictKeys parses the keys of "{'south': 9, 'Odesa oblast': NaN}".
func pyDictKeys(s string) []string {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}")
	var out []string
	for _, p := range strings.Split(s, ",") {
		k, _, ok := strings.Cut(p, ":")
		if ok {
			out = append(out, strings.Trim(strings.TrimSpace(k), `'"`))
		}
	}
	return out
}
