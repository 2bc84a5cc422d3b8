package person

import "strings"

// givenNames pairs Ukrainian given names with their Russian renderings;
// further entries are spellings the two scripts' romanisations do not
// produce (passport "Alexander", ISO "Petr"). Patronymics are derived from
// the names (see patronymics). Female names have no patronymic forms.
var givenNames = []struct {
	uk, ru string
	female bool
	also   []string
}{
	{uk: "Олександр", ru: "Александр", also: []string{"Alexander", "Olexander", "Oleksander"}},
	{uk: "Сергій", ru: "Сергей"},
	{uk: "Микола", ru: "Николай"},
	{uk: "Дмитро", ru: "Дмитрий"},
	{uk: "Андрій", ru: "Андрей"},
	{uk: "Іван", ru: "Иван"},
	{uk: "Юрій", ru: "Юрий"},
	{uk: "Віталій", ru: "Виталий"},
	{uk: "Олексій", ru: "Алексей"},
	{uk: "Петро", ru: "Пётр", also: []string{"Petr", "Peter"}},
	{uk: "Василь", ru: "Василий"},
	{uk: "Михайло", ru: "Михаил"},
	{uk: "Володимир", ru: "Владимир"},
	{uk: "Євген", ru: "Евгений"},
	{uk: "Ігор", ru: "Игорь"},
	{uk: "Григорій", ru: "Григорий"},
	{uk: "Павло", ru: "Павел"},
	{uk: "Роман", ru: "Роман"},
	{uk: "Максим", ru: "Максим"},
	{uk: "Артем", ru: "Артём"},
	{uk: "Денис", ru: "Денис"},
	{uk: "Богдан", ru: "Богдан"},
	{uk: "Тарас", ru: "Тарас"},
	{uk: "Остап", ru: "Остап"},
	{uk: "Віктор", ru: "Виктор"},
	{uk: "Анатолій", ru: "Анатолий"},
	{uk: "Валерій", ru: "Валерий"},
	{uk: "Олег", ru: "Олег"},
	{uk: "Вадим", ru: "Вадим"},
	{uk: "Руслан", ru: "Руслан"},
	{uk: "Степан", ru: "Степан"},
	{uk: "Федір", ru: "Фёдор", also: []string{"Fedor"}},
	{uk: "Олена", ru: "Елена", female: true, also: []string{"Helen", "Olena"}},
	{uk: "Ірина", ru: "Ирина", female: true},
	{uk: "Наталія", ru: "Наталья", female: true, also: []string{"Natalia", "Natalie"}},
	{uk: "Тетяна", ru: "Татьяна", female: true},
	{uk: "Оксана", ru: "Оксана", female: true},
	{uk: "Юлія", ru: "Юлия", female: true},
	{uk: "Марія", ru: "Мария", female: true},
	{uk: "Світлана", ru: "Светлана", female: true},
	{uk: "Людмила", ru: "Людмила", female: true},
	{uk: "Ганна", ru: "Анна", female: true},
}

// ukPatronymic derives the Ukrainian male patronymic of a given name:
// Сергій → Сергійович, Дмитро → Дмитрович, Микола → Миколайович,
// Василь → Васильович, Іван → Іванович.
func ukPatronymic(name string) []string {
	switch {
	case strings.HasSuffix(name, "о"):
		return []string{strings.TrimSuffix(name, "о") + "ович"}
	case strings.HasSuffix(name, "а"):
		return []string{strings.TrimSuffix(name, "а") + "айович"}
	case strings.HasSuffix(name, "ій"):
		// Григорій → Григорович is the older form of Григорійович.
		return []string{name + "ович", strings.TrimSuffix(name, "ій") + "ович"}
	case strings.HasSuffix(name, "ір"):
		return []string{strings.TrimSuffix(name, "ір") + "орович"}
	}
	return []string{name + "ович"}
}

// ruPatronymic derives the Russian male patronymic: Сергей → Сергеевич,
// Дмитрий → Дмитриевич (and Дмитрьевич), Николай → Николаевич,
// Игорь → Игоревич, Иван → Иванович. Павел, Пётр and Михаил are irregular.
func ruPatronymic(name string) []string {
	switch name {
	case "Павел":
		return []string{"Павлович"}
	case "Пётр":
		return []string{"Петрович"}
	case "Михаил":
		return []string{"Михайлович"}
	case "Фёдор":
		return []string{"Фёдорович", "Федорович"}
	}
	switch {
	case strings.HasSuffix(name, "ий"):
		stem := strings.TrimSuffix(name, "ий")
		return []string{stem + "иевич", stem + "ьевич"}
	case strings.HasSuffix(name, "ей"), strings.HasSuffix(name, "ай"):
		return []string{strings.TrimSuffix(name, "й") + "евич"}
	case strings.HasSuffix(name, "ь"):
		return []string{strings.TrimSuffix(name, "ь") + "евич"}
	}
	return []string{name + "ович"}
}

// ukFeminine turns a Ukrainian male patronymic into the female one:
// Сергійович → Сергіївна, Васильович → Василівна, Дмитрович → Дмитрівна.
func ukFeminine(p string) string {
	for _, r := range [][2]string{{"йович", "ївна"}, {"ьович", "івна"}, {"ович", "івна"}} {
		if strings.HasSuffix(p, r[0]) {
			return strings.TrimSuffix(p, r[0]) + r[1]
		}
	}
	return p
}

// ruFeminine turns a Russian male patronymic into the female one:
// Сергеевич → Сергеевна, Иванович → Ивановна.
func ruFeminine(p string) string {
	if strings.HasSuffix(p, "ич") {
		return strings.TrimSuffix(p, "ич") + "на"
	}
	return p
}

// nameTable maps folded given names and patronymics to a canonical form, the
// folded Ukrainian name. It is built once per Reconcile call.
type nameTable struct {
	given, patronymic map[string]string
}

func newNameTable() *nameTable {
	t := &nameTable{given: map[string]string{}, patronymic: map[string]string{}}
	for _, n := range givenNames {
		canon := Fold(n.uk)
		for _, s := range append([]string{n.uk, n.ru}, n.also...) {
			t.given[Fold(s)] = canon
		}
		if n.female {
			continue
		}
		for _, p := range ukPatronymic(n.uk) {
			t.patronymic[Fold(p)] = canon
			t.patronymic[Fold(ukFeminine(p))] = canon
		}
		for _, p := range ruPatronymic(n.ru) {
			t.patronymic[Fold(p)] = canon
			t.patronymic[Fold(ruFeminine(p))] = canon
		}
	}
	return t
}

// givenCanon returns the canonical form of a folded given name, or the name.
func (t *nameTable) givenCanon(f string) string {
	if c, ok := t.given[f]; ok {
		return c
	}
	return f
}

// patronymicCanon returns the canonical form of a folded patronymic, or the
// patronymic.
func (t *nameTable) patronymicCanon(f string) string {
	if c, ok := t.patronymic[f]; ok {
		return c
	}
	return f
}
