package person

import (
	"fmt"
	"io"
)

// Metrics score a Result against a Dataset's truth.
type Metrics struct {
	TruePairs    int     `json:"true_pairs"` // persons on both lists
	Matches      int     `json:"matches"`
	Correct      int     `json:"correct"` // matches of one true person
	Precision    float64 `json:"precision"`
	Recall       float64 `json:"recall"` // persons on both lists matched correctly
	Review       int     `json:"review"`
	ReviewTrue   int     `json:"review_true"` // review pairs of one true person
	Exchanged    Rate    `json:"already_exchanged"`
	Duplicates   Rate    `json:"duplicates"`
	CategoryFlag Rate    `json:"category_mismatch"`
}

// Rate is how many of the expected flags were raised, and how many raised
// flags were wrong.
type Rate struct {
	Expected, Found, False int
}

// Share is Found / Expected, or 1 when nothing was expected.
func (r Rate) Share() float64 {
	if r.Expected == 0 {
		return 1
	}
	return float64(r.Found) / float64(r.Expected)
}

// Evaluate scores res against ds.Truth.
func Evaluate(ds *Dataset, res *Result) Metrics {
	var m Metrics
	t := ds.Truth
	inA, inB, inH := map[int]bool{}, map[int]bool{}, map[int]bool{}
	for _, p := range t.A {
		inA[p] = true
	}
	for _, p := range t.B {
		inB[p] = true
	}
	for _, p := range t.History {
		inH[p] = true
	}
	for p := range inA {
		if inB[p] {
			m.TruePairs++
		}
	}
	found := map[int]bool{}
	for _, x := range res.Matches {
		m.Matches++
		if p := t.A[x.A]; p == t.B[x.B] {
			m.Correct++
			found[p] = true
		}
	}
	for _, x := range res.Review {
		m.Review++
		if t.A[x.A] == t.B[x.B] {
			m.ReviewTrue++
		}
	}
	if m.Matches > 0 {
		m.Precision = float64(m.Correct) / float64(m.Matches)
	}
	if m.TruePairs > 0 {
		m.Recall = float64(len(found)) / float64(m.TruePairs)
	}

	// Expected flags: rows whose person was exchanged before; rows that
	// repeat an earlier row's person in the same list.
	rows := map[string]map[string]int{"a": t.A, "b": t.B}
	lists := map[string][]Person{"a": ds.A, "b": ds.B}
	for name, ps := range lists {
		seen := map[int]bool{}
		for _, p := range ps {
			tp := rows[name][p.ID]
			if inH[tp] {
				m.Exchanged.Expected++
			}
			if seen[tp] {
				m.Duplicates.Expected++
			}
			seen[tp] = true
		}
	}
	mismatch := map[int]bool{}
	for _, p := range t.CategoryMismatch {
		mismatch[p] = true
	}
	for _, p := range ds.A {
		if mismatch[t.A[p.ID]] {
			m.CategoryFlag.Expected++
		}
	}
	for _, f := range res.Flags {
		tp := rows[f.List][f.ID]
		switch f.Flag {
		case FlagExchanged:
			if t.History[f.With] == tp && inH[tp] {
				m.Exchanged.Found++
			} else {
				m.Exchanged.False++
			}
		case FlagDuplicate:
			if rows[f.List][f.With] == tp {
				m.Duplicates.Found++
			} else {
				m.Duplicates.False++
			}
		case FlagCategoryMismatch:
			if mismatch[tp] {
				m.CategoryFlag.Found++
			} else {
				m.CategoryFlag.False++
			}
		}
	}
	return m
}

// WriteTable writes m as a short table, one figure a line.
func (m Metrics) WriteTable(w io.Writer) error {
	_, err := fmt.Fprintf(w, `persons on both lists  %d
matches                %d (%d correct)
precision              %.4f
recall                 %.4f
review                 %d (%d true pairs)
already_exchanged      %d of %d found (%.4f), %d false
duplicates             %d of %d found (%.4f), %d false
category_mismatch      %d of %d found (%.4f), %d false
`, m.TruePairs, m.Matches, m.Correct, m.Precision, m.Recall, m.Review, m.ReviewTrue,
		m.Exchanged.Found, m.Exchanged.Expected, m.Exchanged.Share(), m.Exchanged.False,
		m.Duplicates.Found, m.Duplicates.Expected, m.Duplicates.Share(), m.Duplicates.False,
		m.CategoryFlag.Found, m.CategoryFlag.Expected, m.CategoryFlag.Share(), m.CategoryFlag.False)
	return err
}
