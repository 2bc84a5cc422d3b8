package person

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"truce/internal/derrors"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestFoldAcrossScripts(t *testing.T) {
	nt := newNameTable()
	tests := []struct {
		kind  string
		forms []string
	}{
		{"family", []string{"Лисенко", "Лысенко", "Lysenko", "LYSENKO"}},
		{"family", []string{"Шевченко", "Shevchenko", "Ševčenko"}},
		{"family", []string{"Гриценко", "Hrytsenko", "Gritsenko", "Gricenko"}},
		{"family", []string{"Ковальський", "Ковальский", "Kovalskyi", "Kovalsky", "Kovalʹskij"}},
		{"given", []string{"Олександр", "Александр", "Oleksandr", "Aleksandr", "Alexander", "Olexandr"}},
		{"given", []string{"Сергій", "Сергей", "Serhii", "Serhiy", "Sergey", "Sergei", "Sergej"}},
		{"given", []string{"Євген", "Евгений", "Yevhen", "Ievgen", "Evgeniy", "Evgenij"}},
		{"given", []string{"Петро", "Пётр", "Petro", "Pyotr", "Petr"}},
		{"given", []string{"Григорій", "Григорий", "Hryhorii", "Grigoriy", "Grigorij"}},
		{"patronymic", []string{"Сергійович", "Сергеевич", "Serhiiovych", "Sergeyevich", "Sergeevich", "Serhiyovych"}},
		{"patronymic", []string{"Миколайович", "Николаевич", "Mykolaiovych", "Nikolayevich", "Nikolaevič"}},
		{"patronymic", []string{"Юрійович", "Юрьевич", "Yuriiovych", "Yuryevich", "Ûrʹevič"}},
		{"patronymic", []string{"Сергіївна", "Сергеевна", "Serhiivna", "Sergeyevna"}},
		{"patronymic", []string{"Дмитрович", "Дмитриевич", "Dmytrovych", "Dmitriyevich"}},
	}
	for _, tt := range tests {
		t.Run(tt.forms[0], func(t *testing.T) {
			canon := func(s string) string {
				f := Fold(s)
				switch tt.kind {
				case "family":
					return Key(f)
				case "given":
					return nt.givenCanon(f)
				}
				return nt.patronymicCanon(f)
			}
			want := canon(tt.forms[0])
			for _, f := range tt.forms[1:] {
				if got := canon(f); got != want {
					t.Errorf("%s: got %q, want %q (as %s)", f, got, want, tt.forms[0])
				}
			}
		})
	}
}

func TestRomanize(t *testing.T) {
	tests := []struct {
		in     string
		scheme Scheme
		want   string
	}{
		{"Олександр", KMU2010, "Oleksandr"},
		{"Юрій", KMU2010, "Yurii"},
		{"Згурський", KMU2010, "Zghurskyi"},
		{"Олександр", Passport, "Olexandr"},
		{"Юрій", Passport, "Yuriy"},
		{"Сергеевич", BGNPCGN, "Sergeyevich"},
		{"Юрьевич", ICAO, "Iurevich"},
		{"Щербак", GOST779, "Ŝerbak"},
	}
	for _, tt := range tests {
		if got := Romanize(tt.in, tt.scheme); got != tt.want {
			t.Errorf("Romanize(%q, %s): got %q, want %q", tt.in, tt.scheme, got, tt.want)
		}
	}
}

func TestRelateDates(t *testing.T) {
	d := func(y, m, dd int) Date { return Date{y, m, dd} }
	tests := []struct {
		a, b Date
		want dateRelation
	}{
		{d(1985, 3, 12), d(1985, 3, 12), dateExact},
		{d(1985, 3, 12), d(1985, 12, 3), dateSwapped},
		{d(1985, 3, 12), d(1986, 3, 12), dateYearOff},
		{d(1985, 3, 12), d(1985, 3, 17), dateDigit},
		{d(1985, 3, 12), d(1965, 3, 12), dateDigit},
		{d(1985, 3, 12), d(1985, 4, 22), dateDiffers},
		{d(1985, 3, 12), d(1968, 4, 2), dateDiffers},
		{d(1985, 3, 12), Date{}, dateUnknown},
		{d(1985, 0, 0), d(1985, 3, 12), dateUnknown},
	}
	for _, tt := range tests {
		if got := relateDates(tt.a, tt.b); got != tt.want {
			t.Errorf("relateDates(%v, %v): got %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestReadBadRows(t *testing.T) {
	in := "id,family_name,given_name,birth_date,category,status,extra\n" +
		"1,Лисенко,Олександр,1985-03-12,pow,held,x\n" +
		"2,Мельник,Євген,1985-13-01,pow,held,\n" +
		"3,,,1985-03-12,pow,held,\n" +
		"4,Бойко,Іван,12.03.1985,soldier,held,\n" +
		"1,Бойко,Іван,12.03.1985,pow,held,\n" +
		"5,\"Бой\"ко,Іван,,pow,held,\n" +
		"6,Бойко," + strings.Repeat("я", 200) + ",,pow,held,\n" +
		"7,Бойко,Іван,,civilian,freed,\n" +
		"8,Бойко,Іван,,,,\n"
	r := NewReader(strings.NewReader(in), Limits{})
	var ids []string
	type bad struct {
		line  int
		field string
	}
	var bads []bad
	for {
		p, err := r.Read()
		if err == io.EOF {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			var fe *derrors.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("line %d: %v is not a FieldError", re.Line, err)
			}
			if strings.Contains(err.Error(), "Бой") {
				t.Errorf("error %q repeats personal data", err)
			}
			bads = append(bads, bad{re.Line, fe.Field})
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if got, want := strings.Join(ids, " "), "1 8"; got != want {
		t.Errorf("good rows: got %q, want %q", got, want)
	}
	want := []bad{{3, "birth_date"}, {4, "family_name"}, {5, "category"}, {6, "id"}, {7, "row"}, {8, "given_name"}, {9, "status"}}
	if len(bads) != len(want) {
		t.Fatalf("bad rows: got %v, want %v", bads, want)
	}
	for i := range want {
		if bads[i] != want[i] {
			t.Errorf("bad row %d: got %v, want %v", i, bads[i], want[i])
		}
	}
}

func TestReadLimits(t *testing.T) {
	rows := "id,family_name\n1,A\n2,B\n3,C\n"
	tests := []struct {
		name string
		in   string
		lim  Limits
		want error
	}{
		{"rows", rows, Limits{MaxRows: 2}, derrors.ErrTooLarge},
		{"bytes", rows, Limits{MaxBytes: 20}, derrors.ErrTooLarge},
		{"no id column", "family_name\nA\n", Limits{}, derrors.ErrInvalid},
		{"empty", "", Limits{}, derrors.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadAll(t.Context(), strings.NewReader(tt.in), tt.lim)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func readList(t *testing.T, name string) []Person {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, _, err := ReadAll(t.Context(), f, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestReconcileGolden reconciles the small hand-made lists in testdata; 'go
// test -update' rewrites reconcile.golden.json, which cmd/truce's test of
// 'truce reconcile' also reads.
func TestReconcileGolden(t *testing.T) {
	res, err := Reconcile(t.Context(), readList(t, "a.csv"), readList(t, "b.csv"), readList(t, "history.csv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "reconcile.golden.json")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("got\n%s\nwant\n%s", buf.Bytes(), want)
	}
}

// TestReconcileGenerated checks the targets on small generated lists with
// seeds the thresholds were not tuned on (tuning used seed 1).
func TestReconcileGenerated(t *testing.T) {
	for _, seed := range []uint64{101, 102} {
		ds := Generate(GenerateConfig{Seed: seed, N: 800})
		res, err := Reconcile(t.Context(), ds.A, ds.B, ds.History, Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := Evaluate(ds, res)
		if m.Precision < 0.995 || m.Recall < 0.97 || m.Exchanged.Share() < 0.95 || m.Duplicates.Share() < 0.95 {
			var b strings.Builder
			m.WriteTable(&b)
			t.Errorf("seed %d below target:\n%s", seed, b.String())
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a := Generate(GenerateConfig{Seed: 7, N: 100})
	b := Generate(GenerateConfig{Seed: 7, N: 100})
	var x, y bytes.Buffer
	WriteCSV(&x, a.B)
	WriteCSV(&y, b.B)
	if !bytes.Equal(x.Bytes(), y.Bytes()) {
		t.Error("same seed, different lists")
	}
}
