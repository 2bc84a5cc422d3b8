// Package airwar turns the public records of the air war into domain
// values: the Ukrainian Air Force's bulletins of missile and drone attacks
// (Bulletin, read by BulletinReader) and the air-raid alert feeds (Alert,
// read by AlertReader), and computes the daily figures truce reports
// (DailyAir, DailyAlerts). It needs no database; importers store what it
// returns.
//
// # Reading
//
// The readers stream: each Read returns one row. A bad row never stops a
// file: Read returns a *RowError with the row's line (and column) and the
// next Read continues, so the caller keeps every good row and can report
// every bad one. ReadBulletins, ReadAlerts and ReadWeapons collect a whole
// file the same way. Every Bulletin and Alert has an ID that is a
// name-based UUID (RFC 9562 version 5) of its content, so importing a file
// twice, or two copies of it, yields the same IDs and adds nothing.
//
// # Bulletins
//
// One Bulletin per row of missile_attacks_daily.csv: one weapon model (or
// several the bulletin lumped together) in one reporting window.
//
// Times. The table's times carry no zone; they are the Kyiv local times
// quoted in the bulletins, so they are read in Europe/Kyiv (embedded
// tzdata: no system zone files needed). National rows give
// "YYYY-MM-DD HH:MM"; regional rows give only "YYYY-MM-DD", read as the
// whole day, 00:00 to 24:00 Kyiv time (DateOnly).
//
// Day. A bulletin belongs to the Kyiv date on which its window ends: the
// night 31 May 19:30 → 1 June 13:30 is 1 June.
//
// Kind. The model is split on " and "; the row is a drone row only if every
// part is in the weapon table with category UAV, otherwise a missile row
// (guided bombs and surface-to-air missiles count as missiles; the
// bulletins have no third total). A part the table lacks is a drone if its
// name says so ("Unknown UAV", "decoys", "Shahed …", "Gerbera", "drones")
// and a missile otherwise; it is listed in Bulletin.UnknownModels so the
// importer can report it. Thus "Shahed-136/131 and decoys" is a drone row
// and "Iskander-M and Zircon-2" (unknown second part) a missile row.
//
// Command. The source's page decides: kpszsu (Air Force Command) and
// GeneralStaff.ua are national; PvK…/pvk… pages (PvKPivden = Air Command
// South, …) are regional, as is any row whose target is a direction
// ("south"); anything else (Telegram channels quoted by the dataset) is
// other. A national post's rows that name an oblast as target are still
// national.
//
// # Counting each launch once
//
// Regional commands report launches the national bulletin of the same
// night already counts (Air Command South's Shaheds appear in the national
// total, which only gives a "south" figure in destroyed_details), and no
// field links the two. DailyAir therefore counts:
//
//   - every national row of the day (national posts cover consecutive
//     windows and do not repeat each other);
//   - a regional or other row of the day only if its window overlaps the
//     window of no national row at all (windows are closed intervals; a
//     date-only row spans its whole day). Where the national bulletin
//     speaks for the time, it speaks for the whole country.
//
// So regional and other rows fill gaps only: in the shipped data, 2 rows of
// 10 May 2025 (no national bulletin that day) and two strikes reported by
// other channels outside any national window (Kryvyi Rih on 4 April, Sumy
// on 13 April 2025). The night ending 1 June 2025 gives 472 drones and 7
// missiles launched; the night ending 9 July 2025, 728 drones and 13
// missiles, as the Air Force announced. One edge of the shipped window: 1
// April 2025 shows nothing, because its national bulletin started on 31
// March and was trimmed from the file, and its two regional rows overlap
// the next night's national window.
//
// # Alerts
//
// ReadAlerts tells the three layouts apart by their header: official
// (oblast, raion, hromada, level, …), volunteer (region, …, naive) and
// merged2025 (region, started_at_utc, …). Times are UTC. An alert declared
// at oblast level is region-wide; raion and hromada alerts are
// sub-regional, carry their names, and never count in oblast figures.
//
// Fusion. The official and volunteer feeds report the same alerts seconds
// to minutes apart, with no linking field. Fuse pairs an official
// region-wide alert with a volunteer alert in the same oblast when their
// starts are within 180 s, or their starts within 15 min and their (real,
// not guessed) ends within 180 s (DefaultTolerance, which documents the
// evidence). Pairs are taken one-to-one, closest first, so one alert never
// absorbs two; the pair becomes the official alert marked as reported by
// both.
//
// Midnight. DailyAlerts counts an alert on the Kyiv day it starts, and
// clips its minutes to each day it spans (a 23:00–01:00 alert counts once,
// on the first day, with 60 minutes on each day). Minutes are the union of
// an oblast's alert intervals, so overlaps never add time twice.
package airwar
