// Package region knows Ukraine's first-level subdivisions by their ISO
// 3166-2 codes (UA-05 … UA-77, with UA-30 Kyiv city, UA-40 Sevastopol and
// UA-43 Crimea) and maps every spelling of their names to those codes.
//
// One crosswalk, Code, serves every dataset truce reads: English
// transliterations old and new ("Kyivska oblast", "Kyiv Oblast", "Kiev",
// "Odessa Oblast", "Odeska oblast", "Vinnitsa"), Ukrainian and Russian
// Cyrillic ("Київська область", "Киевская обл.", "м. Київ"), with or
// without a designator word ("oblast", "region", "область", "city", "м.",
// "г."), in any case, with any apostrophe or none, and with any spacing or
// hyphenation. The rules, in order:
//
//   - a name with an oblast designator ("Kyiv oblast", "Kyiv region",
//     "Київська обл.") names the oblast, so "Kyiv oblast" is UA-32;
//   - a name with a city designator ("Kyiv City", "м. Київ", "г. Киев",
//     "City of Sevastopol") names a city, so "Kyiv City" is UA-30;
//   - a bare name is the oblast's name or adjective ("Kharkiv",
//     "Kharkivska"), except where a city with its own code bears it:
//     bare "Kyiv" is the city (UA-30), bare "Kyivska" is the oblast (UA-32);
//   - the administrative centre of each oblast, and a few other cities that
//     the bulletins name as targets ("Dnipro", "Kryvyi Rih", "Lutsk"), map to
//     the subdivision that contains them.
//
// LoadBoundaries reads subdivision outlines from GeoJSON (the geoBoundaries
// ADM1 file truce ships) and Locate finds the subdivision containing a point.
//
// The package uses only the standard library and holds no mutable state.
package region

import (
	"slices"
	"strings"
	"sync"
	"unicode"
)

// Subdivision is one first-level subdivision of Ukraine.
type Subdivision struct {
	// Code is the ISO 3166-2 code, e.g. "UA-32".
	Code string
	// Name is the English name in Ukraine's national transliteration,
	// e.g. "Kyiv Oblast", "Kyiv", "Autonomous Republic of Crimea".
	Name string
	// NameUK and NameRU are the Ukrainian and Russian names.
	NameUK, NameRU string
}

// entry is a Subdivision with the spellings the crosswalk accepts for it.
type entry struct {
	Subdivision
	// stems name the oblast before a designator ("Kyiv" in "Kyiv oblast")
	// and, unless a city claims them, on their own.
	stems []string
	// cities name a city that has the code itself (Kyiv, Sevastopol) or lies
	// in the oblast; they are valid bare or with a city designator.
	cities []string
	// other are further names valid only exactly as written.
	other []string
}

// table lists the 27 subdivisions in code order.
var table = []entry{
	{Subdivision{"UA-05", "Vinnytsia Oblast", "Вінницька область", "Винницкая область"},
		[]string{"Vinnytsia", "Vinnytsya", "Vinnitsa", "Vinnica", "Vinnytska", "Vinnytskaya", "Vinnitskaya", "Вінницька", "Винницкая", "Вінниця", "Винница"},
		[]string{"Vinnytsia", "Vinnitsa", "Вінниця", "Винница"}, nil},
	{Subdivision{"UA-07", "Volyn Oblast", "Волинська область", "Волынская область"},
		[]string{"Volyn", "Volyn'", "Volhynia", "Volynska", "Volynskaya", "Волинська", "Волынская", "Волинь", "Волынь"},
		[]string{"Lutsk", "Луцьк", "Луцк"}, nil},
	{Subdivision{"UA-09", "Luhansk Oblast", "Луганська область", "Луганская область"},
		[]string{"Luhansk", "Lugansk", "Luhanska", "Luhanskaya", "Luganskaya", "Луганська", "Луганская"},
		[]string{"Luhansk", "Lugansk", "Луганськ", "Луганск", "Sievierodonetsk", "Severodonetsk", "Сєвєродонецьк", "Северодонецк"}, nil},
	{Subdivision{"UA-12", "Dnipropetrovsk Oblast", "Дніпропетровська область", "Днепропетровская область"},
		[]string{"Dnipropetrovsk", "Dnepropetrovsk", "Dnipropetrovska", "Dnipropetrovskaya", "Dnepropetrovskaya", "Дніпропетровська", "Днепропетровская"},
		[]string{"Dnipro", "Dnepr", "Dnipropetrovsk", "Дніпро", "Днепр", "Kryvyi Rih", "Kryvyy Rih", "Krivoy Rog", "Кривий Ріг", "Кривой Рог",
			"Nikopol", "Нікополь", "Никополь", "Pavlohrad", "Павлоград", "Kamianske", "Кам'янське", "Каменское", "Marhanets", "Марганець", "Марганец"}, nil},
	{Subdivision{"UA-14", "Donetsk Oblast", "Донецька область", "Донецкая область"},
		[]string{"Donetsk", "Donetska", "Donetskaya", "Донецька", "Донецкая"},
		[]string{"Donetsk", "Донецьк", "Донецк", "Kramatorsk", "Краматорськ", "Краматорск", "Sloviansk", "Slavyansk", "Слов'янськ", "Славянск",
			"Mariupol", "Маріуполь", "Мариуполь", "Pokrovsk", "Покровськ", "Покровск"}, nil},
	{Subdivision{"UA-18", "Zhytomyr Oblast", "Житомирська область", "Житомирская область"},
		[]string{"Zhytomyr", "Zhitomir", "Zhytomyrska", "Zhytomyrskaya", "Zhitomirskaya", "Житомирська", "Житомирская"},
		[]string{"Zhytomyr", "Zhitomir", "Житомир"}, nil},
	{Subdivision{"UA-21", "Zakarpattia Oblast", "Закарпатська область", "Закарпатская область"},
		[]string{"Zakarpattia", "Zakarpattya", "Zakarpattja", "Zakarpatye", "Transcarpathia", "Transcarpathian", "Zakarpatska", "Zakarpatskaya", "Закарпатська", "Закарпатская", "Закарпаття", "Закарпатье"},
		[]string{"Uzhhorod", "Uzhgorod", "Ужгород"}, nil},
	{Subdivision{"UA-23", "Zaporizhzhia Oblast", "Запорізька область", "Запорожская область"},
		[]string{"Zaporizhzhia", "Zaporizhia", "Zaporizhzhya", "Zaporizhzhe", "Zaporozhye", "Zaporozhe", "Zaporizka", "Zaporizhska", "Zaporizhzhska", "Zaporozhskaya", "Запорізька", "Запорожская"},
		[]string{"Zaporizhzhia", "Zaporizhia", "Zaporozhye", "Запоріжжя", "Запорожье", "Melitopol", "Мелітополь", "Мелитополь", "Berdiansk", "Berdyansk", "Бердянськ", "Бердянск", "Enerhodar", "Енергодар", "Энергодар"}, nil},
	{Subdivision{"UA-26", "Ivano-Frankivsk Oblast", "Івано-Франківська область", "Ивано-Франковская область"},
		[]string{"Ivano-Frankivsk", "Ivano-Frankovsk", "Ivano-Frankivska", "Ivano-Frankovskaya", "Prykarpattia", "Івано-Франківська", "Ивано-Франковская"},
		[]string{"Ivano-Frankivsk", "Ivano-Frankovsk", "Івано-Франківськ", "Ивано-Франковск", "Burshtyn", "Бурштин"}, nil},
	{Subdivision{"UA-30", "Kyiv", "Київ", "Киев"},
		nil,
		[]string{"Kyiv", "Kiev", "Kyjiv", "Kiyv", "Київ", "Киев", "Kyiv City", "Kiev City"}, nil},
	{Subdivision{"UA-32", "Kyiv Oblast", "Київська область", "Киевская область"},
		[]string{"Kyiv", "Kiev", "Kyjiv", "Kyivska", "Kyivskaya", "Kiyevskaya", "Kievskaya", "Kyivs'ka", "Київська", "Киевская"},
		[]string{"Bila Tserkva", "Біла Церква", "Белая Церковь", "Brovary", "Бровари", "Бровары", "Boryspil", "Бориспіль", "Борисполь", "Bucha", "Буча", "Irpin", "Ірпінь", "Ирпень"}, nil},
	{Subdivision{"UA-35", "Kirovohrad Oblast", "Кіровоградська область", "Кировоградская область"},
		[]string{"Kirovohrad", "Kirovograd", "Kirovohradska", "Kirovohradskaya", "Kirovogradskaya", "Kropyvnytskyi", "Кіровоградська", "Кировоградская"},
		[]string{"Kropyvnytskyi", "Kropyvnytskyy", "Kropivnitskiy", "Kirovohrad", "Kirovograd", "Кропивницький", "Кропивницкий"}, nil},
	{Subdivision{"UA-40", "Sevastopol", "Севастополь", "Севастополь"},
		nil,
		[]string{"Sevastopol", "Sebastopol", "Севастополь", "Sevastopol City"}, nil},
	{Subdivision{"UA-43", "Autonomous Republic of Crimea", "Автономна Республіка Крим", "Автономная Республика Крым"},
		[]string{"Crimea", "Krym", "Crimean", "Крим", "Крым"},
		[]string{"Simferopol", "Сімферополь", "Симферополь", "Kerch", "Керч", "Керчь", "Yevpatoriia", "Evpatoria", "Євпаторія", "Евпатория",
			"Dzhankoi", "Dzhankoy", "Джанкой", "Feodosiia", "Feodosia", "Феодосія", "Феодосия", "Saky", "Saki", "Саки", "Yalta", "Ялта"},
		[]string{"Autonomous Republic of Crimea", "AR Crimea", "ARC", "Republic of Crimea", "Avtonomna Respublika Krym", "Respublika Krym",
			"АР Крим", "АРК", "Республіка Крим", "Республика Крым", "Crimean Peninsula"}},
	{Subdivision{"UA-46", "Lviv Oblast", "Львівська область", "Львовская область"},
		[]string{"Lviv", "Lvov", "Lwow", "Lvivska", "Lvivskaya", "Lvovskaya", "Львівська", "Львовская"},
		[]string{"Lviv", "Lvov", "Львів", "Львов"}, nil},
	{Subdivision{"UA-48", "Mykolaiv Oblast", "Миколаївська область", "Николаевская область"},
		[]string{"Mykolaiv", "Mykolayiv", "Nikolaev", "Nikolayev", "Mykolaivska", "Mykolayivska", "Mykolaivskaya", "Nikolaevskaya", "Миколаївська", "Николаевская"},
		[]string{"Mykolaiv", "Nikolaev", "Миколаїв", "Николаев", "Ochakiv", "Очаків", "Очаков"}, nil},
	{Subdivision{"UA-51", "Odesa Oblast", "Одеська область", "Одесская область"},
		[]string{"Odesa", "Odessa", "Odeska", "Odes'ka", "Odesska", "Odesskaya", "Одеська", "Одесская"},
		[]string{"Odesa", "Odessa", "Одеса", "Одесса", "Izmail", "Izmayil", "Ізмаїл", "Измаил", "Chornomorsk", "Чорноморськ", "Черноморск", "Pivdenne", "Південне"}, nil},
	{Subdivision{"UA-53", "Poltava Oblast", "Полтавська область", "Полтавская область"},
		[]string{"Poltava", "Poltavska", "Poltavskaya", "Полтавська", "Полтавская"},
		[]string{"Poltava", "Полтава", "Kremenchuk", "Kremenchug", "Кременчук", "Кременчуг", "Myrhorod", "Mirgorod", "Миргород"}, nil},
	{Subdivision{"UA-56", "Rivne Oblast", "Рівненська область", "Ровенская область"},
		[]string{"Rivne", "Rovno", "Rivnenska", "Rivnenskaya", "Rovenskaya", "Рівненська", "Ровенская"},
		[]string{"Rivne", "Rovno", "Рівне", "Ровно"}, nil},
	{Subdivision{"UA-59", "Sumy Oblast", "Сумська область", "Сумская область"},
		[]string{"Sumy", "Sumska", "Sumskaya", "Сумська", "Сумская"},
		[]string{"Sumy", "Суми", "Сумы", "Shostka", "Шостка", "Konotop", "Конотоп"}, nil},
	{Subdivision{"UA-61", "Ternopil Oblast", "Тернопільська область", "Тернопольская область"},
		[]string{"Ternopil", "Ternopol", "Ternopilska", "Ternopilskaya", "Ternopolskaya", "Тернопільська", "Тернопольская"},
		[]string{"Ternopil", "Ternopol", "Тернопіль", "Тернополь"}, nil},
	{Subdivision{"UA-63", "Kharkiv Oblast", "Харківська область", "Харьковская область"},
		[]string{"Kharkiv", "Kharkov", "Kharkivska", "Kharkivskaya", "Kharkovskaya", "Харківська", "Харьковская"},
		[]string{"Kharkiv", "Kharkov", "Харків", "Харьков", "Kupiansk", "Куп'янськ", "Купянск", "Izium", "Izyum", "Ізюм", "Изюм", "Chuhuiv", "Чугуїв", "Чугуев"}, nil},
	{Subdivision{"UA-65", "Kherson Oblast", "Херсонська область", "Херсонская область"},
		[]string{"Kherson", "Khersonska", "Khersonskaya", "Херсонська", "Херсонская"},
		[]string{"Kherson", "Херсон"}, nil},
	{Subdivision{"UA-68", "Khmelnytskyi Oblast", "Хмельницька область", "Хмельницкая область"},
		[]string{"Khmelnytskyi", "Khmelnytskyy", "Khmelnytsky", "Khmelnitsky", "Khmelnitskiy", "Khmelnytskyi'", "Khmelnytska", "Khmelnytskaya", "Khmelnitskaya", "Хмельницька", "Хмельницкая"},
		[]string{"Khmelnytskyi", "Khmelnitsky", "Хмельницький", "Хмельницкий", "Starokostiantyniv", "Starokonstantinov", "Старокостянтинів", "Староконстантинов",
			"Shepetivka", "Шепетівка", "Шепетовка", "Kamianets-Podilskyi", "Кам'янець-Подільський", "Каменец-Подольский"}, nil},
	{Subdivision{"UA-71", "Cherkasy Oblast", "Черкаська область", "Черкасская область"},
		[]string{"Cherkasy", "Cherkassy", "Cherkaska", "Cherkasska", "Cherkaskaya", "Cherkasskaya", "Черкаська", "Черкасская"},
		[]string{"Cherkasy", "Cherkassy", "Черкаси", "Черкассы", "Uman", "Умань", "Smila", "Сміла", "Смела"}, nil},
	{Subdivision{"UA-74", "Chernihiv Oblast", "Чернігівська область", "Черниговская область"},
		[]string{"Chernihiv", "Chernigov", "Chernihivska", "Chernihivskaya", "Chernigovskaya", "Чернігівська", "Черниговская"},
		[]string{"Chernihiv", "Chernigov", "Чернігів", "Чернигов", "Nizhyn", "Ніжин", "Нежин"}, nil},
	{Subdivision{"UA-77", "Chernivtsi Oblast", "Чернівецька область", "Черновицкая область"},
		[]string{"Chernivtsi", "Chernovtsy", "Chernivetska", "Chernivetskaya", "Chernovitskaya", "Bukovina", "Bukovyna", "Чернівецька", "Черновицкая"},
		[]string{"Chernivtsi", "Chernovtsy", "Чернівці", "Черновцы"}, nil},
}

// Designator words. oblastWords mark a name as an oblast's; cityWords as a
// city's. Both are compared after normalisation (lower case, no dots).
var (
	oblastWords = []string{"oblast", "oblasts", "oblasti", "obl", "region", "province", "область", "обл", "області"}
	cityWords   = []string{"city", "m", "misto", "mista", "gorod", "g", "м", "місто", "міста", "г", "город", "міст"}
)

// index is the crosswalk built from table.
type index struct {
	oblast map[string]string // stem → code, used after an oblast designator
	city   map[string]string // city name → code, used after a city designator
	bare   map[string]string // name → code, used without designator
	byCode map[string]*entry
}

var theIndex = sync.OnceValue(func() *index {
	ix := &index{
		oblast: make(map[string]string),
		city:   make(map[string]string),
		bare:   make(map[string]string),
		byCode: make(map[string]*entry),
	}
	for i := range table {
		e := &table[i]
		ix.byCode[e.Code] = e
		for _, s := range e.stems {
			k := normalize(s)
			ix.oblast[k] = e.Code
			if _, ok := ix.bare[k]; !ok {
				ix.bare[k] = e.Code
			}
		}
	}
	// Cities claim bare names over stems: bare "Kyiv" is the city.
	for i := range table {
		e := &table[i]
		for _, c := range e.cities {
			k := normalize(c)
			ix.city[k] = e.Code
			ix.bare[k] = e.Code
		}
	}
	// Full official names and other names are exact.
	for i := range table {
		e := &table[i]
		names := append([]string{e.Code, e.Name, e.NameUK, e.NameRU}, e.other...)
		for _, n := range names {
			ix.bare[normalize(n)] = e.Code
		}
	}
	return ix
})

// Code returns the ISO 3166-2 code of the subdivision a name denotes, and
// whether the name is known. It accepts the codes themselves ("UA-32") and
// every spelling described in the package comment. Leading and trailing
// space, case, apostrophes, dots, hyphens and repeated spaces do not matter.
func Code(name string) (code string, ok bool) {
	ix := theIndex()
	n := normalize(name)
	if n == "" {
		return "", false
	}
	if c, ok := ix.bare[n]; ok {
		return c, true
	}
	words := strings.Fields(n)
	if rest, ok := stripWord(words, oblastWords); ok {
		c, ok := ix.oblast[rest]
		return c, ok
	}
	if rest, ok := stripWord(words, cityWords); ok {
		c, ok := ix.city[rest]
		return c, ok
	}
	return "", false
}

// stripWord removes one designator from either end of words (and an "of"
// after a leading one: "city of kyiv") and returns the rest joined by
// spaces. A trailing word that is a prefix of "oblast" at least three
// letters long ("obl", "oblas") counts as "oblast".
func stripWord(words []string, designators []string) (string, bool) {
	if len(words) < 2 {
		return "", false
	}
	isDesignator := func(w string) bool {
		if slices.Contains(designators, w) {
			return true
		}
		return slices.Contains(designators, "oblast") && len(w) >= 3 && strings.HasPrefix("oblast", w)
	}
	if last := words[len(words)-1]; isDesignator(last) {
		return strings.Join(words[:len(words)-1], " "), true
	}
	if isDesignator(words[0]) {
		rest := words[1:]
		if len(rest) > 1 && rest[0] == "of" {
			rest = rest[1:]
		}
		return strings.Join(rest, " "), true
	}
	return "", false
}

// normalize folds a name for lookup: lower case; apostrophes (ASCII, typographic,
// modifier letters, backtick, acute) removed; hyphens, dashes, dots, commas and
// brackets turned into spaces; Cyrillic і and ё folded to Latin i and е; runs of
// space collapsed.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading space
	for _, r := range s {
		r = unicode.ToLower(r)
		switch r {
		case '\'', '’', '‘', 'ʼ', 'ʹ', '`', '´', 'ʻ', '′':
			continue
		case '-', '‐', '‑', '‒', '–', '—', '.', ',', '(', ')', '_', '/':
			r = ' '
		case 'і': // Cyrillic і, often typed as Latin i
			r = 'i'
		case 'ё':
			r = 'е'
		}
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// Name returns the English name of the subdivision with the given code
// (e.g. "Kyiv Oblast" for "UA-32"), or "" if the code is not valid.
func Name(code string) string {
	if e, ok := theIndex().byCode[code]; ok {
		return e.Name
	}
	return ""
}

// Valid reports whether code is the ISO 3166-2 code of one of Ukraine's 27
// first-level subdivisions. It is exact: "ua-32" is not valid.
func Valid(code string) bool {
	_, ok := theIndex().byCode[code]
	return ok
}

// Lookup returns the subdivision with the given code, and whether there is one.
func Lookup(code string) (Subdivision, bool) {
	if e, ok := theIndex().byCode[code]; ok {
		return e.Subdivision, true
	}
	return Subdivision{}, false
}

// All returns the 27 subdivisions in code order. The caller may modify the
// returned slice.
func All() []Subdivision {
	out := make([]Subdivision, len(table))
	for i, e := range table {
		out[i] = e.Subdivision
	}
	return out
}
