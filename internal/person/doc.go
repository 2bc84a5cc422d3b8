// Package person reads lists of persons (prisoners of war, detained
// civilians, remains, children) that the parties submit, and reconciles one
// side's list against the other's.
//
// Reconciliation works across Ukrainian Cyrillic, Russian Cyrillic renderings
// of Ukrainian names and Latin transliterations (KMU 2010, BGN/PCGN,
// GOST 7.79, passport spellings). Every name is folded to one Latin skeleton
// (Fold), given names and patronymics go through a table of Ukrainian and
// Russian equivalents, and candidate pairs come only from blocks (phonetic
// family key and birth year, given name and birth date, service number), so
// two lists of tens of thousands never compare all pairs.
//
// Generate writes realistic list pairs with their ground truth and Evaluate
// scores a Result against it; docs/reconcile.md gives the rules, thresholds
// and figures.
//
// The package is plain Go: no storage, no HTTP, and no logging. Errors it
// returns name lines and fields, never the personal data in them.
package person
