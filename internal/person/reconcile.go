package person

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Options tune Reconcile. The zero value means the defaults.
type Options struct {
	// MatchScore is the least score of a pair that Reconcile calls a match,
	// a duplicate or an earlier exchange; default 0.55.
	MatchScore float64
	// ReviewScore is the least score of a pair left for a caseworker;
	// default 0.40.
	ReviewScore float64
	// MaxBlock caps the blocks that ignore the birth date (family and
	// given name alone); larger blocks are skipped. Default 200.
	MaxBlock int
}

func (o Options) withDefaults() Options {
	if o.MatchScore == 0 {
		o.MatchScore = 0.55
	}
	if o.ReviewScore == 0 {
		o.ReviewScore = 0.40
	}
	if o.MaxBlock == 0 {
		o.MaxBlock = 200
	}
	return o
}

// Result is the outcome of Reconcile. Every person of list A (and of B) is in
// exactly one of Matches, Review and UnmatchedA (UnmatchedB); Flags add to
// that.
type Result struct {
	Matches    []Pair   `json:"matches"`
	UnmatchedA []string `json:"unmatched_a"`
	UnmatchedB []string `json:"unmatched_b"`
	Flags      []Flag   `json:"flags"`
	Review     []Pair   `json:"review"`
}

// Pair is a person of list A paired with one of list B, with the score in
// [0, 1] and the reasons that add to it.
type Pair struct {
	A       string   `json:"a"`
	B       string   `json:"b"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons"`
}

// The flags Reconcile raises.
const (
	FlagExchanged        = "already_exchanged" // the person matches one in the history of earlier exchanges
	FlagDuplicate        = "duplicate"         // the person matches an earlier row of the same list
	FlagCategoryMismatch = "category_mismatch" // the two lists give a matched person different categories
	FlagDeceased         = "deceased"          // listed as deceased, outside a list of remains
)

// Flag marks a person of list List ("a" or "b") with what Reconcile found;
// With is the other person concerned (in the history, the same list, or the
// other list), if any.
type Flag struct {
	ID   string `json:"id"`
	List string `json:"list"`
	Flag string `json:"flag"`
	With string `json:"with,omitempty"`
}

// prepared is a person's fields as the scorer compares them.
type prepared struct {
	fam, famKey, giv, givCanon, pat, patCanon, place, svc string
	date                                                  Date
}

func prepare(t *nameTable, p Person) prepared {
	fam, giv, pat := p.FamilyName, p.GivenName, p.Patronymic
	if fam == "" {
		// Only the Latin name: FAMILY Given Patronymic.
		f := strings.Fields(p.LatinName)
		for i, dst := range []*string{&fam, &giv, &pat} {
			if i < len(f) {
				*dst = f[i]
			}
		}
	}
	var r prepared
	r.fam = Fold(fam)
	r.famKey = Key(r.fam)
	r.giv = Fold(giv)
	r.givCanon = t.givenCanon(r.giv)
	r.pat = Fold(pat)
	r.patCanon = t.patronymicCanon(r.pat)
	r.place = Fold(p.BirthPlace)
	r.svc = normalServiceNumber(p.ServiceNumber)
	r.date = p.BirthDate
	return r
}

func normalServiceNumber(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		} else if r >= 'А' && r <= 'Я' || r == 'І' || r == 'Ї' || r == 'Є' || r == 'Ё' {
			b.WriteString(strings.ToUpper(Fold(string(r))))
		}
	}
	return b.String()
}

// Points of evidence; maxPoints is the sum of the best of each.
const (
	ptFamilyExact, ptFamilyClose, ptFamilyNear, ptFamilyOther = 4, 3, 1, -4
	ptGivenSame, ptGivenClose, ptGivenOther                   = 3, 1.5, -3
	ptPatSame, ptPatClose, ptPatOther                         = 2, 1, -2.5
	ptDateExact, ptDateSwapped, ptDateYear, ptDateDigit       = 5, 3.5, 3, 3
	ptPlaceSame, ptPlaceOther                                 = 1, -0.5
	ptSvcSame, ptSvcClose, ptSvcOther                         = 3, 1.5, -2
	maxPoints                                                 = ptFamilyExact + ptGivenSame + ptPatSame + ptDateExact + ptPlaceSame + ptSvcSame
)

// dateRelation says how two birth dates relate.
type dateRelation int

const (
	dateUnknown dateRelation = iota
	dateExact
	dateSwapped // day and month swapped
	dateYearOff // same day and month, a year apart
	dateDigit   // one digit of YYYYMMDD differs
	dateDiffers // clearly another date: never the same person
)

func relateDates(a, b Date) dateRelation {
	switch {
	case a.IsZero() || b.IsZero():
		return dateUnknown
	case a == b:
		return dateExact
	case a.Month == 0 || b.Month == 0:
		if a.Year == b.Year {
			return dateUnknown
		}
		if abs(a.Year-b.Year) == 1 {
			return dateYearOff
		}
		return dateDiffers
	case a.Year == b.Year && a.Month == b.Day && a.Day == b.Month:
		return dateSwapped
	case a.Month == b.Month && a.Day == b.Day && abs(a.Year-b.Year) == 1:
		return dateYearOff
	}
	da, db := digits(a), digits(b)
	n := 0
	for i := range da {
		if da[i] != db[i] {
			n++
		}
	}
	if n == 1 {
		return dateDigit
	}
	return dateDiffers
}

func digits(d Date) [8]byte {
	var out [8]byte
	for i, v := range []int{d.Year / 100, d.Year % 100, d.Month, d.Day} {
		out[2*i], out[2*i+1] = byte('0'+v/10), byte('0'+v%10)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// score compares two prepared persons. ok is false when they cannot be the
// same person (clearly different birth dates).
func score(a, b *prepared, withReasons bool) (s float64, reasons []string, ok bool) {
	var pts float64
	add := func(p float64, why string) {
		pts += p
		if withReasons {
			reasons = append(reasons, why)
		}
	}
	rel := relateDates(a.date, b.date)
	switch rel {
	case dateDiffers:
		return 0, nil, false
	case dateExact:
		add(ptDateExact, "birth_date exact")
	case dateSwapped:
		add(ptDateSwapped, "birth_date day and month swapped")
	case dateYearOff:
		add(ptDateYear, "birth_date a year off")
	case dateDigit:
		add(ptDateDigit, "birth_date one digit differs")
	}
	switch fs := similarity(a.fam, b.fam); {
	case a.fam == b.fam:
		add(ptFamilyExact, "family_name same")
	case fs >= 0.8:
		add(ptFamilyClose, "family_name close")
	case fs >= 0.65 || a.famKey == b.famKey:
		add(ptFamilyNear, "family_name near")
	default:
		add(ptFamilyOther, "family_name differs")
	}
	if a.giv != "" && b.giv != "" {
		switch {
		case a.givCanon == b.givCanon:
			add(ptGivenSame, "given_name equivalent")
		case similarity(a.givCanon, b.givCanon) >= 0.75 || similarity(a.giv, b.giv) >= 0.75:
			add(ptGivenClose, "given_name close")
		default:
			add(ptGivenOther, "given_name differs")
		}
	}
	if a.pat != "" && b.pat != "" {
		switch {
		case a.patCanon == b.patCanon:
			add(ptPatSame, "patronymic equivalent")
		case similarity(a.patCanon, b.patCanon) >= 0.75 || similarity(a.pat, b.pat) >= 0.75:
			add(ptPatClose, "patronymic close")
		default:
			add(ptPatOther, "patronymic differs")
		}
	}
	if a.place != "" && b.place != "" {
		if similarity(a.place, b.place) >= 0.75 {
			add(ptPlaceSame, "birth_place same")
		} else {
			add(ptPlaceOther, "birth_place differs")
		}
	}
	if a.svc != "" && b.svc != "" {
		switch {
		case a.svc == b.svc:
			add(ptSvcSame, "service_number same")
		case distance(a.svc, b.svc) == 1:
			add(ptSvcClose, "service_number one character differs")
		default:
			add(ptSvcOther, "service_number differs")
		}
	}
	s = math.Round(max(0, pts)/maxPoints*1000) / 1000
	return min(s, 1), reasons, true
}

// index maps blocking keys to the positions of a list's persons.
type index struct {
	blocks   map[string][]int32
	maxBlock int
}

func dateKey(d Date) string {
	lo, hi := min(d.Month, d.Day), max(d.Month, d.Day)
	return strconv.Itoa(lo) + "." + strconv.Itoa(hi)
}

// keys returns the blocking keys a person is indexed under.
func indexKeys(r *prepared) []string {
	keys := make([]string, 0, 4)
	if r.date.Year != 0 {
		keys = append(keys, "f"+r.famKey+"|"+strconv.Itoa(r.date.Year))
		if r.date.Month != 0 {
			keys = append(keys, "g"+r.givCanon+"|"+strconv.Itoa(r.date.Year)+"|"+dateKey(r.date))
		}
	}
	if r.svc != "" {
		keys = append(keys, "s"+r.svc)
	}
	keys = append(keys, "n"+r.famKey+"|"+r.givCanon)
	return keys
}

// queryKeys returns the keys under which a person's candidates are indexed:
// the same keys, with the birth year also one either side.
func queryKeys(r *prepared) []string {
	keys := make([]string, 0, 8)
	if y := r.date.Year; y != 0 {
		for _, yy := range []int{y - 1, y, y + 1} {
			keys = append(keys, "f"+r.famKey+"|"+strconv.Itoa(yy))
			if r.date.Month != 0 {
				keys = append(keys, "g"+r.givCanon+"|"+strconv.Itoa(yy)+"|"+dateKey(r.date))
			}
		}
	}
	if r.svc != "" {
		keys = append(keys, "s"+r.svc)
	}
	keys = append(keys, "n"+r.famKey+"|"+r.givCanon)
	return keys
}

func newIndex(rs []prepared, maxBlock int) *index {
	ix := &index{blocks: map[string][]int32{}, maxBlock: maxBlock}
	for i := range rs {
		for _, k := range indexKeys(&rs[i]) {
			ix.blocks[k] = append(ix.blocks[k], int32(i))
		}
	}
	return ix
}

// candidates calls fn with each indexed person that shares a block with r,
// once. seen is scratch space as long as the indexed list, and stamp a value
// not used before in it.
func (ix *index) candidates(r *prepared, seen []int32, stamp int32, fn func(j int)) {
	for _, k := range queryKeys(r) {
		b := ix.blocks[k]
		if k[0] == 'n' && len(b) > ix.maxBlock {
			continue
		}
		for _, j := range b {
			if seen[j] != stamp {
				seen[j] = stamp
				fn(int(j))
			}
		}
	}
}

type scored struct {
	i, j  int
	score float64
}

// Reconcile matches list a against list b, one to one, and flags persons
// found in history (earlier exchanges), duplicates within a list, category
// mismatches and deceased persons. Only persons who share a block are
// compared; pairs whose birth dates clearly differ are never paired. It
// stops early, returning ctx's error, if ctx is cancelled.
func Reconcile(ctx context.Context, a, b, history []Person, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	t := newNameTable()
	pa, pb, ph := prepareAll(t, a), prepareAll(t, b), prepareAll(t, history)
	res := &Result{Matches: []Pair{}, UnmatchedA: []string{}, UnmatchedB: []string{}, Flags: []Flag{}, Review: []Pair{}}

	// Pairs across the lists, best first.
	ixb := newIndex(pb, opts.MaxBlock)
	seen := make([]int32, len(pb))
	var cands []scored
	for i := range pa {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		ixb.candidates(&pa[i], seen, int32(i+1), func(j int) {
			if s, _, ok := score(&pa[i], &pb[j], false); ok && s >= opts.ReviewScore {
				cands = append(cands, scored{i, j, s})
			}
		})
	}
	slices.SortFunc(cands, func(x, y scored) int {
		return cmp.Or(cmp.Compare(y.score, x.score), cmp.Compare(x.i, y.i), cmp.Compare(x.j, y.j))
	})
	takenA, takenB := make([]bool, len(a)), make([]bool, len(b))
	matchOfA, matchOfB := make([]int, len(a)), make([]int, len(b))
	for i := range matchOfA {
		matchOfA[i] = -1
	}
	for j := range matchOfB {
		matchOfB[j] = -1
	}
	for _, c := range cands {
		if takenA[c.i] || takenB[c.j] {
			continue
		}
		takenA[c.i], takenB[c.j] = true, true
		_, reasons, _ := score(&pa[c.i], &pb[c.j], true)
		p := Pair{A: a[c.i].ID, B: b[c.j].ID, Score: c.score, Reasons: reasons}
		if c.score >= opts.MatchScore {
			res.Matches = append(res.Matches, p)
			matchOfA[c.i], matchOfB[c.j] = c.j, c.i
		} else {
			res.Review = append(res.Review, p)
		}
	}
	for i, ok := range takenA {
		if !ok {
			res.UnmatchedA = append(res.UnmatchedA, a[i].ID)
		}
	}
	for j, ok := range takenB {
		if !ok {
			res.UnmatchedB = append(res.UnmatchedB, b[j].ID)
		}
	}

	// Flags, list by list.
	for _, l := range []struct {
		name    string
		ps      []Person
		pr      []prepared
		other   []Person
		matchOf []int
	}{{"a", a, pa, b, matchOfA}, {"b", b, pb, a, matchOfB}} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(ph) > 0 {
			for i, h := range bestIn(l.pr, ph, opts) {
				if h >= 0 {
					res.Flags = append(res.Flags, Flag{ID: l.ps[i].ID, List: l.name, Flag: FlagExchanged, With: history[h].ID})
				}
			}
		}
		for i, d := range duplicates(l.pr, opts) {
			if d >= 0 {
				res.Flags = append(res.Flags, Flag{ID: l.ps[i].ID, List: l.name, Flag: FlagDuplicate, With: l.ps[d].ID})
			}
		}
		for i, p := range l.ps {
			m := l.matchOf[i]
			if l.name == "a" && m >= 0 && p.Category != "" && l.other[m].Category != "" && p.Category != l.other[m].Category {
				res.Flags = append(res.Flags, Flag{ID: p.ID, List: "a", Flag: FlagCategoryMismatch, With: l.other[m].ID})
			}
			if p.Status == Deceased && p.Category != Remains {
				f := Flag{ID: p.ID, List: l.name, Flag: FlagDeceased}
				if m >= 0 {
					f.With = l.other[m].ID
				}
				res.Flags = append(res.Flags, f)
			}
		}
	}
	return res, nil
}

func prepareAll(t *nameTable, ps []Person) []prepared {
	out := make([]prepared, len(ps))
	for i, p := range ps {
		out[i] = prepare(t, p)
	}
	return out
}

// bestIn returns, for each of qs, the position of its best match in rs
// scoring at least opts.MatchScore, or -1.
func bestIn(qs, rs []prepared, opts Options) []int {
	ix := newIndex(rs, opts.MaxBlock)
	seen := make([]int32, len(rs))
	out := make([]int, len(qs))
	for i := range qs {
		best, bestScore := -1, opts.MatchScore
		ix.candidates(&qs[i], seen, int32(i+1), func(j int) {
			if s, _, ok := score(&qs[i], &rs[j], false); ok && (s > bestScore || s == bestScore && best < 0) {
				best, bestScore = j, s
			}
		})
		out[i] = best
	}
	return out
}

// duplicates returns, for each person of rs, the position of the first
// earlier person of rs it matches, or -1.
func duplicates(rs []prepared, opts Options) []int {
	ix := newIndex(rs, opts.MaxBlock)
	seen := make([]int32, len(rs))
	out := make([]int, len(rs))
	for i := range rs {
		first := -1
		ix.candidates(&rs[i], seen, int32(i+1), func(j int) {
			if j >= i || first >= 0 && j > first {
				return
			}
			if s, _, ok := score(&rs[i], &rs[j], false); ok && s >= opts.MatchScore {
				first = j
			}
		})
		out[i] = first
	}
	return out
}
