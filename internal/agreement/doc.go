// Package agreement defines ceasefire agreements, their terms and zones,
// their amendments, and the judging of incidents against them. It is plain
// Go: no SQL, no HTTP. DESIGN.md ("Agreements and the parties' loop") and
// issue 6 are the contract; this comment records the decisions they leave
// open.
//
// # Agreements and terms
//
// The mediator posts an agreement as JSON (Parse). A term covers
// incidents of its domains, of its prohibited kinds (all kinds of its
// domains when it lists none), that begin in [From, To), inside its zone
// when it has one, and against its target categories when it has them. A
// partial truce (only the sea; only strikes on energy infrastructure) and a
// full one (every domain, no kinds, no zone) are written the same way.
//
// Decisions:
//
//   - Every term has a "to"; an open-ended ceasefire uses a distant date and
//     is ended, or extended, by amendment.
//   - Parties are two-letter codes, 2 to MaxParties of them, as auth
//     requires of a party's organisation.
//   - A zone is a GeoJSON Polygon or MultiPolygon in WGS84 longitude and
//     latitude. Rings must be closed, have at least 4 positions and enclose
//     an area; a position may carry an altitude, which is ignored; a "bbox"
//     member is accepted and ignored; other members (such as "crs") are
//     refused. The first ring of a polygon is its outline, the others its
//     holes; winding order is not checked. Zones do not cross the
//     antimeridian (Ukraine does not need it).
//   - Target categories are an open vocabulary of snake_case labels
//     ("energy_infrastructure", "port") compared exactly: the agreement
//     defines its own. An incident carries none; the analyst assigns them
//     and the caller passes them to JudgeWith.
//   - Errors name the field in the body, dotted and indexed as in the JSON
//     ("terms[1].zone.coordinates[0][2]"); unknown members are refused by
//     name.
//
// # Amendments
//
// An amendment is a new version of the same agreement (Amend): same id,
// version+1, the same parties, a later Adopted time. It changes the future,
// never the past: a term that has begun keeps everything but its end, which
// may move only within the future; terms not yet begun may change or go;
// new terms begin no earlier than the amendment. Because of that rule, the
// latest version judges every incident, past ones included, exactly as the
// version in force at the time would have, and a mistake in a term that
// has begun is corrected by ending it and adding a new one.
//
// # Judging
//
// Judge and JudgeWith return the violation of an incident, Matches all of
// them. Decisions:
//
//   - Time: the incident's Start decides, as the issue says "in force when it
//     happened"; an incident that begins before From and lasts into the
//     window is not a violation of that term.
//   - Place: the incident's point (its uncertainty-weighted mean) decides;
//     its radius is ignored. An incident known only by its region is never
//     inside a zone, because a region is not a point and most regions cross
//     any zone's edge; an analyst who can place it gives it a point.
//   - A refuted incident violates nothing. Reported, corroborated, verified
//     and unverified incidents are judged alike: the status says how sure
//     the mission is, the violation says what it would breach.
//   - An incident attributed to someone who is not a party to an agreement
//     does not violate that agreement; an unattributed one may.
//   - Several matching terms: the agreement adopted (its latest version)
//     most recently first, then the agreement id, then the term id. Only
//     the highest version of each agreement given is used.
package agreement
