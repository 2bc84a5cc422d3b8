package person

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// GenerateConfig sets up a synthetic pair of lists.
type GenerateConfig struct {
	Seed uint64
	N    int // persons in list A; list B and the history are of similar size
}

// Dataset is a generated pair of lists, a history of earlier exchanges and
// the ground truth: which true person each row describes.
type Dataset struct {
	A, B, History []Person
	Truth         Truth
}

// Truth maps each row id of each list to the true person it describes, and
// lists the persons whose category list B gets wrong.
type Truth struct {
	A                map[string]int `json:"a"`
	B                map[string]int `json:"b"`
	History          map[string]int `json:"history"`
	CategoryMismatch []int          `json:"category_mismatch"`
}

var familyNames = []string{
	"Шевченко", "Мельник", "Бондаренко", "Коваленко", "Бойко", "Ткаченко", "Кравченко", "Ковальчук",
	"Коваль", "Олійник", "Шевчук", "Поліщук", "Лисенко", "Бондар", "Марченко", "Мороз", "Савченко",
	"Руденко", "Петренко", "Гончаренко", "Кузьменко", "Павленко", "Литвиненко", "Клименко", "Ігнатенко",
	"Гриценко", "Кириленко", "Ковальов", "Білик", "Сидоренко", "Яковенко", "Федоренко", "Онищенко",
	"Ярошенко", "Левченко", "Кравчук", "Ткачук", "Мартинюк", "Савчук", "Ковальський", "Вишневський",
	"Захарченко", "Гуменюк", "Приходько", "Дячук", "Семенко", "Зінченко", "Єременко", "Пилипенко", "Мар'яненко",
}

var familyStems = []string{"Гнат", "Дорош", "Остап", "Мирон", "Тимош", "Сидор", "Кушнір", "Гаврил", "Максим", "Тарас",
	"Грищ", "Лук'ян", "Прокоп", "Зубар", "Нечипор", "Стеф", "Юрч", "Данил", "Борис", "Харитон", "Гордій", "Фесь", "Кирик", "Степан"}

var familySuffixes = []string{"енко", "ук", "юк", "ишин", "ів", "ович", "ський", "ак"}

var places = []string{"Київ", "Харків", "Львів", "Одеса", "Дніпро", "Запоріжжя", "Миколаїв", "Херсон", "Полтава",
	"Чернігів", "Суми", "Житомир", "Вінниця", "Черкаси", "Маріуполь", "Кривий Ріг", "Ізюм", "Бахмут", "Краматорськ", "Ніжин"}

type truePerson struct {
	family, given, father string
	female                bool
	date                  Date
	place                 string
	svc                   string
	category              Category
	status                Status
}

type generator struct {
	rng      *rand.Rand
	families []string
	male     []int // indexes into givenNames
	female   []int
}

// Generate makes a dataset. Shares of the error kinds (per row of list B
// unless said otherwise): Russian Cyrillic rendering 65%, Ukrainian
// Cyrillic 20%, Latin only 15% (any of the five schemes); a typo in the
// family name 5%, in the given name 2%; day and month swapped 3%, the year
// off by one 3%, a digit wrong 2%; no patronymic 15%, no service number 30%,
// a service-number typo 2%. Of the persons, 80% are on both lists; 3% have a
// namesake born on another date on one list only; 4% were exchanged before
// and appear in the history; 2% of the rows of each list are duplicates;
// 15% of the civilians on both lists are listed as prisoners of war by B.
func Generate(cfg GenerateConfig) *Dataset {
	g := &generator{rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x706572736f6e))}
	g.families = append(g.families, familyNames...)
	for _, s := range familyStems {
		for _, x := range familySuffixes {
			g.families = append(g.families, s+x)
		}
	}
	for i, n := range givenNames {
		if n.female {
			g.female = append(g.female, i)
		} else {
			g.male = append(g.male, i)
		}
	}
	n := max(cfg.N, 10)
	var people []truePerson
	newPerson := func() int {
		people = append(people, g.person())
		return len(people) - 1
	}
	ds := &Dataset{Truth: Truth{A: map[string]int{}, B: map[string]int{}, History: map[string]int{}}}
	var inA, inB, inH []int
	for range n {
		p := newPerson()
		inA = append(inA, p)
		r := g.rng.Float64()
		if r < 0.80 {
			inB = append(inB, p)
		}
		if g.rng.Float64() < 0.04 {
			inH = append(inH, p)
		}
	}
	for range n / 4 {
		p := newPerson()
		inB = append(inB, p)
		if g.rng.Float64() < 0.04 {
			inH = append(inH, p)
		}
	}
	// Namesakes: another person with the same names, born on a clearly
	// different date, on one list only.
	for range n * 3 / 100 {
		src := people[inA[g.rng.IntN(len(inA))]]
		ns := g.person()
		ns.family, ns.given, ns.female = src.family, src.given, src.female
		if g.rng.Float64() < 0.3 {
			ns.father = src.father
		}
		for relateDates(ns.date, src.date) != dateDiffers {
			ns.date = g.date()
		}
		people = append(people, ns)
		if g.rng.Float64() < 0.5 {
			inA = append(inA, len(people)-1)
		} else {
			inB = append(inB, len(people)-1)
		}
	}
	// History: earlier exchanges, and others exchanged who are on no list.
	for range n / 2 {
		inH = append(inH, newPerson())
	}
	bothCivil := map[int]bool{}
	setB := map[int]bool{}
	for _, p := range inB {
		setB[p] = true
	}
	for _, p := range inA {
		if setB[p] && people[p].category == Civilian && g.rng.Float64() < 0.15 {
			bothCivil[p] = true
			ds.Truth.CategoryMismatch = append(ds.Truth.CategoryMismatch, p)
		}
	}
	shuffle := func(s []int) {
		g.rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	}
	shuffle(inA)
	shuffle(inB)
	shuffle(inH)
	emit := func(list string, ids []int, render func(truePerson) Person, truth map[string]int) []Person {
		var out []Person
		for _, p := range ids {
			copies := 1
			if list != "H" && g.rng.Float64() < 0.02 {
				copies = 2
			}
			for range copies {
				row := render(people[p])
				row.ID = fmt.Sprintf("%s%06d", list, len(out)+1)
				if list == "B" && bothCivil[p] {
					row.Category = POW
				}
				truth[row.ID] = p
				out = append(out, row)
			}
		}
		// Duplicates are not next to each other in real lists.
		g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}
	ds.A = emit("A", inA, g.renderA, ds.Truth.A)
	ds.B = emit("B", inB, g.renderB, ds.Truth.B)
	ds.History = emit("H", inH, g.renderB, ds.Truth.History)
	return ds
}

func (g *generator) date() Date {
	y := 1962 + g.rng.IntN(43)
	m := 1 + g.rng.IntN(12)
	return Date{y, m, 1 + g.rng.IntN(daysIn[m]-boolInt(m == 2))}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (g *generator) person() truePerson {
	var p truePerson
	// Zipf-like family names: a few common ones, a long tail.
	f := int(float64(len(g.families)) * g.rng.Float64() * g.rng.Float64())
	p.family = g.families[f]
	p.category = POW
	switch r := g.rng.Float64(); {
	case r < 0.17:
		p.category = Civilian
	case r < 0.20:
		p.category = Remains
	}
	p.female = p.category == Civilian && g.rng.Float64() < 0.4 || g.rng.Float64() < 0.05
	if p.female {
		p.given = givenNames[g.female[g.rng.IntN(len(g.female))]].uk
	} else {
		p.given = givenNames[g.male[g.rng.IntN(len(g.male))]].uk
	}
	p.father = givenNames[g.male[g.rng.IntN(len(g.male))]].uk
	p.date = g.date()
	p.place = places[g.rng.IntN(len(places))]
	if p.category == POW || p.category == Remains {
		letters := []rune("АВЕКМНОРСТ")
		p.svc = fmt.Sprintf("%c%c%06d", letters[g.rng.IntN(len(letters))], letters[g.rng.IntN(len(letters))], g.rng.IntN(1_000_000))
	}
	p.status = Held
	switch {
	case p.category == Remains:
		p.status = Deceased
	case g.rng.Float64() < 0.02:
		p.status = Deceased
	case g.rng.Float64() < 0.05:
		p.status = Missing
	}
	return p
}

// names returns the person's Ukrainian or Russian Cyrillic names.
func (p truePerson) names(russian bool) (family, given, patronymic string) {
	if !russian {
		pat := ukPatronymic(p.father)[0]
		if p.female {
			pat = ukFeminine(pat)
		}
		return p.family, p.given, pat
	}
	for _, n := range givenNames {
		if n.uk == p.given {
			given = n.ru
		}
		if n.uk == p.father {
			patronymic = ruPatronymic(n.ru)[0]
		}
	}
	if p.female {
		patronymic = ruFeminine(patronymic)
	}
	return russianSpelling(p.family), given, patronymic
}

func latinName(family, given, patronymic string, s Scheme) string {
	parts := []string{strings.ToUpper(Romanize(family, s)), Romanize(given, s)}
	if patronymic != "" {
		parts = append(parts, Romanize(patronymic, s))
	}
	return strings.Join(parts, " ")
}

// renderA writes a person as the Ukrainian side lists them.
func (g *generator) renderA(p truePerson) Person {
	fam, giv, pat := p.names(false)
	if g.rng.Float64() < 0.01 {
		fam = g.typo(fam)
	}
	if g.rng.Float64() < 0.05 {
		pat = ""
	}
	out := Person{FamilyName: fam, GivenName: giv, Patronymic: pat, BirthDate: p.date, BirthPlace: p.place,
		Category: p.category, Status: p.status, LatinName: latinName(fam, giv, "", KMU2010)}
	if g.rng.Float64() > 0.1 {
		out.ServiceNumber = p.svc
	}
	return out
}

// renderB writes a person as the other side lists them.
func (g *generator) renderB(p truePerson) Person {
	var out Person
	russian := g.rng.Float64() < 0.65
	latinOnly := !russian && g.rng.Float64() < 0.43 // 15% of all rows
	fam, giv, pat := p.names(russian)
	if g.rng.Float64() < 0.15 {
		pat = ""
	}
	if g.rng.Float64() < 0.05 {
		fam = g.typo(fam)
	}
	if g.rng.Float64() < 0.02 {
		giv = g.typo(giv)
	}
	var scheme Scheme
	if latinOnly {
		russian = g.rng.Float64() < 0.6
		fam, giv, pat = p.names(russian)
		if g.rng.Float64() < 0.05 {
			fam = g.typo(fam)
		}
		if russian {
			scheme = []Scheme{BGNPCGN, ICAO, GOST779}[g.rng.IntN(3)]
		} else {
			scheme = []Scheme{KMU2010, Passport}[g.rng.IntN(2)]
		}
		if g.rng.Float64() < 0.5 {
			pat = ""
		}
		out.LatinName = latinName(fam, giv, pat, scheme)
	} else {
		out.FamilyName, out.GivenName, out.Patronymic = fam, giv, pat
		if russian {
			scheme = []Scheme{BGNPCGN, ICAO, GOST779}[g.rng.IntN(3)]
		} else {
			scheme = []Scheme{KMU2010, Passport}[g.rng.IntN(2)]
		}
		out.LatinName = latinName(fam, giv, "", scheme)
	}
	out.BirthDate = p.date
	switch r := g.rng.Float64(); {
	case r < 0.03 && p.date.Day <= 12 && p.date.Day != p.date.Month:
		out.BirthDate.Month, out.BirthDate.Day = p.date.Day, p.date.Month
	case r >= 0.03 && r < 0.06:
		out.BirthDate.Year += 1 - 2*g.rng.IntN(2)
	case r >= 0.06 && r < 0.08:
		out.BirthDate = g.digitTypo(p.date)
	}
	if g.rng.Float64() < 0.8 {
		out.BirthPlace = p.place
		if russian {
			out.BirthPlace = russianSpelling(p.place)
		}
	}
	if p.svc != "" && g.rng.Float64() > 0.3 {
		out.ServiceNumber = p.svc
		if g.rng.Float64() < 0.02 {
			rs := []rune(p.svc)
			rs[2+g.rng.IntN(6)] = rune('0' + g.rng.IntN(10))
			out.ServiceNumber = string(rs)
		}
	}
	out.Category, out.Status = p.category, p.status
	return out
}

// digitTypo changes one digit of the day or the last two of the year,
// keeping the date valid.
func (g *generator) digitTypo(d Date) Date {
	for range 20 {
		t := d
		switch g.rng.IntN(3) {
		case 0:
			t.Year = t.Year/10*10 + g.rng.IntN(10)
		case 1:
			t.Day = t.Day/10*10 + g.rng.IntN(10)
		default:
			t.Day = t.Day%10 + 10*g.rng.IntN(4)
		}
		if t != d && t.Day >= 1 && t.Day <= daysIn[t.Month] && relateDates(d, t) == dateDigit {
			return t
		}
	}
	return d
}

// typo deletes, doubles, swaps or replaces one letter (never the first).
func (g *generator) typo(s string) string {
	rs := []rune(s)
	if len(rs) < 4 {
		return s
	}
	i := 1 + g.rng.IntN(len(rs)-2)
	switch g.rng.IntN(4) {
	case 0:
		return string(append(rs[:i:i], rs[i+1:]...))
	case 1:
		return string(rs[:i+1]) + string(rs[i:])
	case 2:
		rs[i], rs[i+1] = rs[i+1], rs[i]
	default:
		letters := []rune("абвгдеклмнопрстуя")
		rs[i] = letters[g.rng.IntN(len(letters))]
	}
	return string(rs)
}

// WriteDir writes a.csv, b.csv, history.csv and truth.json to dir.
func (ds *Dataset) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("person: write dataset: %w", err)
	}
	for name, ps := range map[string][]Person{"a.csv": ds.A, "b.csv": ds.B, "history.csv": ds.History} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("person: write dataset: %w", err)
		}
		err = WriteCSV(f, ps)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("person: write %s: %w", name, err)
		}
	}
	b, err := json.MarshalIndent(ds.Truth, "", " ")
	if err != nil {
		return fmt.Errorf("person: write truth: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "truth.json"), b, 0o644); err != nil {
		return fmt.Errorf("person: write truth: %w", err)
	}
	return nil
}

// ReadDir reads a dataset that WriteDir wrote. Bad rows are an error here:
// a generated dataset has none.
func ReadDir(ctx context.Context, dir string) (*Dataset, error) {
	ds := &Dataset{}
	for _, l := range []struct {
		name string
		dst  *[]Person
	}{{"a.csv", &ds.A}, {"b.csv", &ds.B}, {"history.csv", &ds.History}} {
		f, err := os.Open(filepath.Join(dir, l.name))
		if err != nil {
			return nil, fmt.Errorf("person: read dataset: %w", err)
		}
		ps, bad, err := ReadAll(ctx, f, Limits{})
		f.Close()
		if err == nil && len(bad) > 0 {
			err = bad[0]
		}
		if err != nil {
			return nil, fmt.Errorf("person: read %s: %w", l.name, err)
		}
		*l.dst = ps
	}
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		return nil, fmt.Errorf("person: read dataset: %w", err)
	}
	if err := json.Unmarshal(b, &ds.Truth); err != nil {
		return nil, fmt.Errorf("person: read truth.json: %w", err)
	}
	return ds, nil
}
