package person

import (
	"strings"
	"unicode"
)

// cyrLatin spells each Cyrillic letter, Ukrainian or Russian, in Latin before
// folding. Letters that the two languages or the romanisations spell
// differently (г h/g, и y/i, й y/i/j, я ya/ia) fold together later.
var cyrLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ie",
	'ё': "io", 'ж': "zh", 'з': "z", 'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k",
	'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
}

// latinMarks spells the letters with diacritics of GOST 7.79 System A and of
// the scholarly transliteration.
var latinMarks = map[rune]string{
	'š': "sh", 'č': "ch", 'ž': "zh", 'ŝ': "shch", 'û': "iu", 'â': "ia", 'ë': "io",
	'ì': "i", 'ï': "i", 'ê': "ie", 'è': "e", 'é': "e", 'ǵ': "g", 'ć': "ch", 'ś': "s",
	'ź': "z", 'ł': "l", 'ń': "n", 'ó': "o", 'ü': "iu", 'ö': "io", 'ä': "ia", 'ŭ': "u", 'ĭ': "i",
}

// latinFold merges the spellings that the romanisations use for one sound.
// The upper-case letters are the merged sounds: S sh/shch, Z zh, C ch, Q ts,
// G g/h/kh.
var latinFold = strings.NewReplacer(
	"shch", "S", "shh", "S", "sch", "S", "szcz", "S",
	"zh", "Z", "kh", "G", "ch", "C", "sh", "S", "sz", "S", "cz", "C",
	"ts", "Q", "tz", "Q", "c", "Q",
	"x", "ks", "ph", "f", "w", "v", "q", "k",
	"h", "G", "g", "G", "j", "i", "y", "i",
)

// Fold maps a name in any of the scripts and romanisations to one Latin
// skeleton: lower case, one spelling per sound, no soft signs or apostrophes,
// no doubled letters, no "i" glide between vowels. "Лисенко", "Лысенко" and
// "Lysenko" fold alike; so do "Ковальов", "Kovalov" and "Kovaliov"-like
// spellings up to a letter. Words are separated by one space.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case cyrLatin[r] != "" || r == 'ь' || r == 'ъ':
			b.WriteString(cyrLatin[r])
		case latinMarks[r] != "":
			b.WriteString(latinMarks[r])
		case r == '\'' || r == '’' || r == 'ʼ' || r == '`' || r == 'ʹ' || r == 'ʺ' || r == '"':
		case unicode.IsLetter(r):
			// Letters outside the tables are dropped: they carry no sound
			// the two lists could share.
		default:
			b.WriteByte(' ')
		}
	}
	s = latinFold.Replace(b.String())
	s = squeeze(s)
	// A glide i between vowels, or before a vowel at a word's start, is
	// spelt by some romanisations and not others (Yevhen / Evgeny,
	// Sergeyevich / Sergeevich).
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == 'i' && i+1 < len(s) && isVowel(s[i+1]) && (i == 0 || s[i-1] == ' ' || isVowel(s[i-1])) {
			continue
		}
		out = append(out, s[i])
	}
	return strings.TrimSpace(squeeze(string(out)))
}

// squeeze collapses runs of one letter and of spaces.
func squeeze(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if len(out) > 0 && out[len(out)-1] == s[i] {
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// Key is the phonetic key of a folded name: its consonants, with runs
// collapsed. Ukrainian and Russian renderings of one family name
// (Ковальов / Ковалев, Олійник / Олейник) share a key.
func Key(folded string) string {
	out := make([]byte, 0, len(folded))
	for i := 0; i < len(folded); i++ {
		c := folded[i]
		if isVowel(c) || c == ' ' {
			continue
		}
		if len(out) > 0 && out[len(out)-1] == c {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// distance is the optimal string alignment distance of a and b: insertions,
// deletions, substitutions and transpositions of neighbours each cost one.
func distance(a, b string) int {
	if a == b {
		return 0
	}
	if len(a) == 0 {
		return len(b)
	}
	if len(b) == 0 {
		return len(a)
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// similarity is 1 - distance/longer length, in [0, 1].
func similarity(a, b string) float64 {
	n := max(len(a), len(b))
	if n == 0 {
		return 1
	}
	return 1 - float64(distance(a, b))/float64(n)
}
