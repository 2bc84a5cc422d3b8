package finding

// Visible reports whether viewer may see f, its reply included:
//
//   - analysts, the mediator and the system clock see every finding, drafts
//     included;
//   - the party concerned sees it from the moment it is sent;
//   - another party, and observers, from its release to observers;
//   - everyone else (the public, and monitors, witnesses, caseworkers and
//     admins, who have no part in the loop) from its public release.
//
// A party viewer without a party code sees what the public sees.
//
// A withdrawn finding stays visible to whoever it had reached, with its
// state and the reason, so nobody is left holding a finding that silently
// vanished.
func Visible(f Finding, viewer Actor) bool {
	switch viewer.Role {
	case Analyst, Mediator, System:
		return true
	case Party:
		if viewer.Party == "" {
			break // not a party's token: treated as the public
		}
		if viewer.Party == f.Party && !f.SentAt.IsZero() {
			return true
		}
		return !f.ObserversAt.IsZero()
	case Observer:
		return !f.ObserversAt.IsZero()
	}
	return !f.PublicAt.IsZero()
}
