package airwar

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Kind is what a bulletin row counts: drones or missiles. The values are
// the air kinds of truce's observation vocabulary.
type Kind string

// The kinds of bulletin rows.
const (
	KindDrone   Kind = "drone"
	KindMissile Kind = "missile"
)

// CategoryUAV is the weapon table's category for drones of every sort.
const CategoryUAV = "UAV"

// Weapons is the weapon reference table (missiles_and_uavs.csv): model →
// category. It is immutable after ReadWeapons and safe for concurrent use.
type Weapons struct {
	category map[string]string // normalised model → category
}

// ReadWeapons reads the weapon table: a CSV file with at least the columns
// model and category. A row with an empty model or category is reported as
// a *RowError in the returned slice and skipped; the other rows are kept.
// The error is non-nil only if the file cannot be read at all or lacks
// those columns (wrapping ErrLayout).
func ReadWeapons(r io.Reader) (*Weapons, []*RowError, error) {
	t, err := newTable(r)
	if err != nil {
		return nil, nil, fmt.Errorf("airwar: weapons: %w", err)
	}
	if !t.has("model", "category") {
		return nil, nil, fmt.Errorf("airwar: weapons: header %q lacks model or category: %w", t.header, ErrLayout)
	}
	w := &Weapons{category: make(map[string]string)}
	var bad []*RowError
	for {
		row, err := t.next()
		if errors.Is(err, io.EOF) {
			return w, bad, nil
		}
		if re, ok := errors.AsType[*RowError](err); ok {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			return nil, bad, fmt.Errorf("airwar: weapons: %w", err)
		}
		model, cat := row.get("model"), row.get("category")
		switch {
		case model == "":
			bad = append(bad, row.errorf("model", "empty"))
		case cat == "":
			bad = append(bad, row.errorf("category", "empty for model %q", model))
		default:
			w.category[normModel(model)] = cat
		}
	}
}

// Category returns the table's category for a model ("UAV", "cruise
// missile", "ballistic missile" …), matching case- and space-insensitively,
// and whether the model is in the table.
func (w *Weapons) Category(model string) (string, bool) {
	c, ok := w.category[normModel(model)]
	return c, ok
}

// Len returns the number of models in the table.
func (w *Weapons) Len() int { return len(w.category) }

// droneWords mark an unknown model part as a drone: the bulletins name
// drones they have no model for as "UAV", "drones", "decoys", "imitators".
var droneWords = []string{"uav", "drone", "decoy", "imitator", "shahed", "geran", "gerbera", "lancet", "orlan", "zala", "supercam", "бпла", "дрон", "молні", "шахед", "герань"}

// Classify returns the kind of a bulletin row's model and the parts of the
// model the table does not know. The model is split on " and "; the row is
// a drone row only if every part is a drone, else a missile row. A part is
// a drone if the table's category for it is UAV. A part the table does not
// know is a drone if its name says so (it contains "UAV", "drone",
// "decoy", "imitator", "Shahed", "Geran", "Gerbera", …), and otherwise is
// taken for a missile; either way it is returned in unknown so that the
// caller can report it. An empty model is a missile row with unknown [""].
func (w *Weapons) Classify(model string) (kind Kind, unknown []string) {
	kind = KindDrone
	parts := splitAnd(model)
	if len(parts) == 0 {
		return KindMissile, []string{""}
	}
	for _, p := range parts {
		cat, ok := w.Category(p)
		if !ok {
			unknown = append(unknown, p)
			if !looksLikeDrone(p) {
				kind = KindMissile
			}
			continue
		}
		if !strings.EqualFold(cat, CategoryUAV) {
			kind = KindMissile
		}
	}
	return kind, unknown
}

func looksLikeDrone(part string) bool {
	p := strings.ToLower(part)
	for _, w := range droneWords {
		if strings.Contains(p, w) {
			return true
		}
	}
	return false
}

// splitAnd splits "A and B and C" into trimmed, non-empty parts.
func splitAnd(s string) []string {
	var out []string
	for _, p := range strings.Split(s, " and ") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func normModel(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
