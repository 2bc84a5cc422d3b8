// Package export writes incidents in the formats other tools read — an
// ACLED-style CSV, a UCDP GED-style CSV, GeoJSON (RFC 7946) and JSON Lines —
// and produces those incidents from a store in memory bounded by time, not
// by the size of the store.
//
// A Writer takes incidents one at a time and streams them: nothing but its
// output buffer stays in memory, so a million incidents cost what one does.
// Replay reads the store's observations in observed_at order, fuses them
// with an incident.Fuser whose Config.Horizon is set, and hands each
// incident over as soon as fusion has finished it; Export joins the two.
// The incidents are those the server's live view shows: the same fusion, the
// analysts' merges and splits applied in ledger order, their status and
// attribution decisions applied the latest last. docs/export.md describes
// the formats, every mapping to ACLED's and UCDP's codes, and what is left
// empty and why.
package export
