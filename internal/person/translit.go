package person

import (
	"strings"
	"unicode"
)

// Scheme is a romanisation of Cyrillic names.
type Scheme string

// The romanisations Generate writes and Fold reads.
const (
	KMU2010  Scheme = "kmu2010"  // Ukrainian national system (Cabinet of Ministers, 2010)
	Passport Scheme = "passport" // older Ukrainian passport spellings: y for й, ye, yu, ya, x for кс
	BGNPCGN  Scheme = "bgn"      // BGN/PCGN for Russian
	ICAO     Scheme = "icao"     // ICAO Doc 9303, Russian passports since 2013
	GOST779  Scheme = "gost"     // GOST 7.79-2000 System A, with diacritics
)

var (
	kmuTable = map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ie",
		'ж': "zh", 'з': "z", 'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l",
		'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
		'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ь': "",
		'ю': "iu", 'я': "ia", '\'': "", 'ʼ': "",
	}
	// kmuInitial holds the spellings KMU 2010 uses at the start of a word.
	kmuInitial = map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"}
	bgnTable   = map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "ë", 'ж': "zh",
		'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
		'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
		'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ʺ", 'ы': "y", 'ь': "ʹ", 'э': "e",
		'ю': "yu", 'я': "ya",
	}
	icaoTable = map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
		'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
		'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
		'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e",
		'ю': "iu", 'я': "ia",
	}
	gostTable = map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "ë", 'ж': "ž",
		'з': "z", 'и': "i", 'й': "j", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
		'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "h", 'ц': "c",
		'ч': "č", 'ш': "š", 'щ': "ŝ", 'ъ': "ʺ", 'ы': "y", 'ь': "ʹ", 'э': "è", 'ю': "û",
		'я': "â",
	}
)

// Romanize spells a Cyrillic name in Latin by scheme. KMU2010 and Passport
// expect Ukrainian spelling, the others Russian. The first letter of each
// word is upper case; letters outside the scheme pass through.
func Romanize(s string, scheme Scheme) string {
	var b strings.Builder
	prev := ' '
	for _, r := range strings.ToLower(s) {
		start := !unicode.IsLetter(prev) && prev != '\''
		var out string
		var ok bool
		switch scheme {
		case KMU2010:
			if out, ok = kmuInitial[r]; !start || !ok {
				out, ok = kmuTable[r]
			}
			if r == 'г' && prev == 'з' {
				out = "gh" // зг is zgh, not zh
			}
		case Passport:
			if out, ok = kmuInitial[r]; !ok {
				out, ok = kmuTable[r]
			}
		case BGNPCGN:
			out, ok = bgnTable[r]
			if r == 'е' && (start || strings.ContainsRune("аеёиоуыэюяйъь", prev)) {
				out = "ye"
			}
		case ICAO:
			out, ok = icaoTable[r]
		case GOST779:
			out, ok = gostTable[r]
		}
		if !ok {
			out = string(r)
		}
		if start && out != "" {
			rs := []rune(out)
			out = string(unicode.ToUpper(rs[0])) + string(rs[1:])
		}
		b.WriteString(out)
		prev = r
	}
	out := b.String()
	if scheme == Passport {
		out = strings.ReplaceAll(out, "ks", "x")
		out = strings.ReplaceAll(out, "ii", "iy")
	}
	return out
}

// russianLetters and russianFixes render a Ukrainian family name or place in Russian
// Cyrillic letter by letter: и → ы, і → и, ї → и, є → е, ' → ь, with the
// Russian spelling after к, г, х, ж, ш, ч, щ and of -ський.
var russianLetters = strings.NewReplacer(
	"и", "ы", "і", "и", "ї", "и", "є", "е", "'", "ь", "ʼ", "ь",
	"И", "Ы", "І", "И", "Ї", "И", "Є", "Е",
)

var russianFixes = strings.NewReplacer(
	"ськый", "ский", "цькый", "цкий", "кы", "ки", "гы", "ги", "хы", "хи",
	"жы", "жи", "шы", "ши", "чы", "чи", "щы", "щи", "ьо", "ё",
)

// russianSpelling renders a Ukrainian name or place in Russian Cyrillic.
func russianSpelling(s string) string {
	return russianFixes.Replace(russianLetters.Replace(s))
}
