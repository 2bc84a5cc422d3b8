// Package data embeds the real public datasets truce ships with.
//
// The files are copied unchanged from their public sources; each
// directory's SOURCE.md names the repository, commit, licence and what was
// trimmed, and README.md in this directory summarises them. The package
// holds data only: parsing lives in internal/airwar and internal/region.
package data

import (
	"embed"
	"io/fs"
)

// Paths of the shipped files inside FS, relative to its root.
const (
	// Bulletins is the Ukrainian Air Force bulletin table (one row per
	// weapon model per bulletin), 2025-04-01 … 2025-07-31.
	Bulletins = "missile_attacks_daily/missile_attacks_daily_2025-04-01_2025-07-31.csv"
	// Weapons is the weapon reference table (model → category …) that
	// classifies bulletin rows as drones or missiles.
	Weapons = "missile_attacks_daily/missiles_and_uavs.csv"
	// AlertsMerged2025 is the derived table of official oblast alerts with
	// overlapping intervals merged, 2025-04-01 … 2025-07-31.
	AlertsMerged2025 = "air_raid_alerts_oblast_2025/alerts_oblast_merged_2025-04-01_2025-07-31.csv"
	// AlertsOfficial2024 is the raw official alert feed (oblast, raion and
	// hromada level), 2024-01-01 … 2024-02-29.
	AlertsOfficial2024 = "air_raid_alerts_raw_2024/official_2024-01-01_2024-02-29.csv"
	// AlertsVolunteer2024 is the raw volunteer (eTryvoga) alert feed,
	// oblast level only, 2024-01-01 … 2024-02-29.
	AlertsVolunteer2024 = "air_raid_alerts_raw_2024/volunteer_2024-01-01_2024-02-29.csv"
	// Oblasts is the geoBoundaries UKR ADM1 (simplified) GeoJSON of
	// Ukraine's first-level subdivisions.
	Oblasts = "ukraine_oblasts_geojson/geoBoundaries-UKR-ADM1_simplified.geojson"
)

//go:embed README.md */SOURCE.md */*.csv */*.geojson
var files embed.FS

// FS returns the embedded datasets as a read-only file system. Paths are
// the constants above (and each directory's SOURCE.md); they use forward
// slashes, as io/fs requires.
func FS() fs.FS { return files }

// Files returns the paths of the data files (not the notes) in FS, in a
// fixed order: bulletins, weapons, merged 2025 alerts, official and
// volunteer 2024 alerts, oblast boundaries.
func Files() []string {
	return []string{Bulletins, Weapons, AlertsMerged2025, AlertsOfficial2024, AlertsVolunteer2024, Oblasts}
}
