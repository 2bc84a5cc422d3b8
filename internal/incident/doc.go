// Package incident fuses observations into incidents as they arrive, keeps
// the analysts' decisions about them, and defines the Incident, its
// statuses and their state machine. It is plain Go: no SQL, no HTTP.
//
// # Fusion
//
// A Fuser takes accepted observations one at a time (Add) and maintains a
// partition of them into incidents. Every observation belongs to exactly
// one incident; a lone report is an incident of one. The partition is a
// function of the set of observations and the decisions alone: feeding the
// same records in any order — a batch uploaded hours late included — gives
// the same incidents, byte for byte, and so does any party that re-runs
// fusion on the ledger's records. Nor does it depend on when it is read:
// a server that reads after every record and one that replays the store
// with a single read at the end hold the same incidents
// (TestReadTimeIndependent).
//
// Each observation's uncertainty is what it states, raised to a floor per
// source (location, time):
//
//	patrol       100 m   60 s      acoustic   1000 m    5 s
//	camera       150 m    3 s      radar      1000 m   10 s
//	uav           50 m   60 s      satellite    50 m    1 h
//	open_source 1000 m   10 min    party      5000 m   30 min
//
// and capped at 35 km and 12 h. Two observations are compatible when their
// kinds are compatible (see below) and
//
//	Δt²/(σt₁²+σt₂²) + d²/(σs₁²+σs₂²) ≤ Gate²     (Gate 3.5 by default)
//
// where d is the distance between their points. Without a point on either
// side (a region-only observation), the spatial term is replaced by the
// requirement that both lie in the same region (the observation's region, or
// the Config.Locate answer for a point) and that they are at most 2 hours
// apart.
//
// Observations are precise or vague. Vague ones are a party's allegations,
// region-only observations, and those with a location uncertainty above
// 5 km or a time uncertainty above 15 minutes (a patrol that finds craters
// hours later, a satellite image, most open-source reports).
//
//   - Precise observations are linked by pairwise compatibility (union–find)
//     into blocks. Within a block, clusters are formed by deterministic
//     agglomeration: members ordered by id; the two clusters whose
//     uncertainty-weighted centres are nearest (in units of their pooled
//     uncertainty, floored at half the best member's) merge first, only
//     along compatible pairs, only while within the gate and while all their
//     kinds are pairwise compatible. Judging every merge on the clusters'
//     centres rather than on single pairs is the guard against chaining: a
//     night of barely compatible reports cannot pull distant impacts into
//     one incident.
//   - A vague observation joins the precise cluster whose centre is nearest
//     within the gate, provided that cluster is nearer than the second best
//     by a margin (1 in normalised squared distance); otherwise — no
//     candidate, or an ambiguous one — it is an incident of its own. Vague
//     observations never link incidents together and never group with each
//     other: two allegations 10 km apart cannot be told apart, and an
//     analyst can merge them.
//
// Candidates are found through a grid: an observation is indexed in a
// spatial cell (32 km, or 128 km for reaches beyond that) and, within the
// cell, in a list of its time class (reach ≤ 150 s, 20 min, 4 h, 16 h,
// 48 h) kept sorted by time, precise and vague observations apart. A query
// visits the few cells around its point — its box reaches Gate × the
// largest location uncertainty the level's wanted lists have held beyond
// its own reach, which for precise observations (at most 5 km) is about
// half a cell; the vague lists, whose observations state up to 35 km, get
// a box of their own, and are skipped at a level when no settled vague
// observation there is recent enough to match — and searches each list
// for its time window (bounded by the largest time uncertainty the list
// has held),
// outwards from where the list's previous search started: consecutive
// queries (a stream in arrival order, a flush attaching vague observations
// in arrival order) look at nearby times. A
// region's precise points are also listed, by time, under the region, which
// is all a region-only observation's query reads. An observation thus costs
// time in proportion to the observations near it in space and time, not to
// how many the Fuser holds.
//
// Add only indexes a vague observation. Its precise candidates are searched
// when a reader (or a sweep) first brings it up to date, and again whenever
// a block it watches changes: that first search settles it, making it a
// watcher of its candidates' blocks, and precise observations added later
// look for settled vague ones (only in lists that hold some, and only up
// to the latest observed time settled in each) to make them watchers of
// their own blocks. Records added in a batch before a read thus
// pay for each vague-to-precise pair once. Readers re-cluster only the
// blocks that changed. Each attachment is decided afresh, from the current
// clusters, whenever one of them may have changed; attachments never feed
// back into the precise clusters.
//
// # Kinds
//
// Observations fuse only when their kinds can describe the same event:
// every kind with itself, and
//
//	explosion    artillery, mortar, mlrs, tank_fire, mine, missile, drone,
//	             guided_bomb, air_strike, naval_strike
//	artillery    mortar, mlrs, tank_fire
//	tank_fire    ground_assault;   small_arms   ground_assault
//	air_strike   guided_bomb, missile
//	missile      naval_strike;     drone        naval_strike
//	naval_strike naval_drone;      ship_movement mine_laying
//
// This table is also the only way across domains: an explosion on land is
// the impact of a missile in the air. heavy_weapons_movement and
// airspace_violation fuse with nothing else. An incident's kind is the most
// specific kind reported (a named weapon over artillery, artillery over
// explosion), then the most often reported, then alphabetical; its domain is
// that kind's.
//
// # Incident figures
//
// Start and End span the observed times of the precise members (of all
// members when none is precise). Lat and Lon are the members' points
// weighted by 1/σ²; RadiusM combines the 95% circle of that mean with the
// spread of the points. Region is Config.Locate's answer for the position,
// else the members' most frequent region.
//
// An independent source is an (organisation, submitter, source) triple: two
// reports by one patrol are one source. Sources and Organizations count
// them. Count: each source counts as the largest count it reported; Low is
// the least and Best the (lower) median of those over non-party sources,
// High the largest over all sources including parties. Status is
// Corroborated when non-party sources of at least two organisations agree,
// else Reported: a party's allegation never corroborates. Attribution comes
// from the reports' attributed_to: non-party sources decide (confidence high
// when two organisations name the party and none names another, medium when
// none dissents, low otherwise); parties' allegations alone give a low
// confidence attribution when they agree, none when they do not.
//
// # Ids
//
// An incident's id is derived from its smallest observation id
// (IncidentID): the same records always give the same ids, and an id
// changes only when an observation with a smaller id joins or leaves.
// Changes reports such renames as a removal and an addition.
//
// # Memory and finished incidents
//
// With Config.Horizon zero a Fuser keeps every observation, and memory grows
// with their number. With a Horizon H (DefaultHorizon is three days) memory
// is bounded by the time window instead. The clock is the latest accepted_at
// seen (observed_at for a record without one); R is the longest time apart
// two compatible observations can be (Gate × √2 × 12 h, about 59 h).
//
//   - An observation observed more than H before the clock is late. A late
//     observation is fused as a vague one: it joins the live incident whose
//     precise centre it matches unambiguously, and is otherwise an incident
//     of its own — which is what it always is when everything it could have
//     matched is already finished. It never links incidents and never
//     changes a finished one.
//   - An observation that is not late cannot be compatible with one
//     observed more than H + R before the clock. So once the cut, clock −
//     H − R, has passed every member of a unit (a precise block with the
//     vague observations attached to it, or a vague observation on its own),
//     every vague observation compared with its block and everything those
//     were compared with (a block's root keeps the latest such time, so the
//     test reads one number), the unit can no longer change: its incidents
//     are finished. A sweep, every sixth of H, hands them to Finished and
//     releases their observations: index entries, union–find slots (reused
//     by later observations), ids. It brings the grouping up to date first,
//     but for the new vague observations observed after clock − H: none
//     can match a unit it may finish, so they wait, as Add left them, to be
//     attached once when they are older (or when a reader flushes).
//   - A precise block whose members were all observed more than
//     Gate × √2 × 15 minutes (the longest time apart two precise
//     observations can match) before clock − H is frozen: no observation
//     that is not late can join it. A vague observation attached by a
//     sweep is compared with such blocks but does not watch them for
//     changes (it watches the one it joins, so that finishing and readers
//     find it there): a sweep's vague observations are three days old, and
//     nearly every block they are compared with is frozen.
//   - A unit named by a merge or split stays live, since decisions name
//     observations; memory grows with the number of such decisions, not of
//     observations. Status and attribution decisions are part of the
//     finished incident.
//
// For a stream whose observations are never late, finishing changes
// nothing: finished and live incidents together are byte-identical to
// those of a Fuser without a horizon (TestHorizonSameIncidents). Finished
// incidents leave Incidents, Get and Changes (which does not report them as
// removed); Get and Apply answer ErrNotFound for their observations, and Add
// no longer detects a duplicate of one. A server with a horizon must store
// what Finished returns, and must apply decisions in ledger order with the
// observations when it replays, since a decision naming a finished
// observation no longer applies. That is why the horizon is off by default.
//
// # Benchmarks
//
//	go test ./internal/incident -run '^$' -bench 'Fuse100k|Fuse1M|Incidents100k|Stream100k|Stream1M' -benchtime 1x
//
// fuses simulate.Bench(100_000) and simulate.Bench(1_000_000) in arrival
// order (Add for every record, then Settle) and reports wall ns/obs,
// process CPU ns/obs (the garbage collector included) and the heap the Fuser
// holds at the end per observation. Fuse keeps everything; Incidents100k
// also builds every Incident; Stream runs with DefaultHorizon, builds every
// finished Incident and drains Finished every thousand records; Live100k is
// Fuse100k with a Settle after every hundred records, as a server that reads
// while records arrive. MemoryLatency measures the machine's cost of a read
// at random from tables of growing size, which is what bounds fusion once
// its working set outgrows the caches. The figures, and what was tried, are
// in docs/benchmarks.md. With the horizon the heap the Fuser holds stays
// flat as a million observations stream through:
//
//	go test ./internal/incident -run HeapFlat -long -v
//
// # Decisions
//
// Analysts' decisions (Decision, applied with Fuser.Apply) name
// observations, not incidents, so they survive later fusion: merges and
// splits regroup the fused partition in the order they were made; status and
// attribution decisions apply to the incident that contains their first
// observation. The status state machine is in CanTransition.
package incident
