package storesql

import (
	"fmt"
	"strings"

	"truce/internal/observation"
)

// MaxList is the most observations one listing returns.
const MaxList = 10000

// Scope returns the WHERE clause that limits observations to what sc
// allows, its parameters numbered after args, and args with them.
func Scope(sc observation.Scope, args []any) (string, []any) {
	switch {
	case sc.All:
		return "true", args
	case sc.Party != "":
		args = append(args, sc.Party)
		return fmt.Sprintf("party = $%d", len(args)), args
	case sc.Org != "":
		args = append(args, sc.Org)
		return fmt.Sprintf("party = '' AND organization = $%d", len(args)), args
	}
	return "false", args
}

// ObservationColumns are the columns SelectObservations reads, in order:
// seq, id, observed_at, body, ledger_idx, salt.
const ObservationColumns = `seq, id, observed_at, body, ledger_idx, salt`

// SelectObservations returns the query that lists up to f.Limit (at most
// MaxList) observations matching f, ordered by observation time then
// arrival, or by arrival alone (which is ledger order) if f.ArrivalOrder,
// and its arguments.
func SelectObservations(f observation.Filter) (string, []any) {
	where, args := Scope(f.Scope, nil)
	conds := []string{where}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if !f.From.IsZero() {
		add("observed_at >= $%d", f.From.UnixNano())
	}
	if !f.To.IsZero() {
		add("observed_at < $%d", f.To.UnixNano())
	}
	if f.Domain != "" {
		add("domain = $%d", string(f.Domain))
	}
	if f.Kind != "" {
		add("kind = $%d", string(f.Kind))
	}
	if f.Source != "" {
		add("source = $%d", string(f.Source))
	}
	order := "observed_at, seq"
	if f.ArrivalOrder {
		order = "seq"
		if f.After != nil {
			add("seq > $%d", f.After.Seq)
		}
	} else if f.After != nil {
		args = append(args, f.After.ObservedAt.UnixNano(), f.After.Seq)
		conds = append(conds, fmt.Sprintf("(observed_at, seq) > ($%d, $%d)", len(args)-1, len(args)))
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	args = append(args, limit)
	q := `SELECT ` + ObservationColumns + ` FROM observations WHERE ` + strings.Join(conds, " AND ") +
		fmt.Sprintf(` ORDER BY %s LIMIT $%d`, order, len(args))
	return q, args
}
