// Package finding implements the parties' loop of DESIGN.md ("Agreements and
// the parties' loop") and issue 6: an analyst's finding on an incident goes
// privately to the party it concerns, which may reply before a deadline;
// then it is released to observers, then, after a delay, to the public. It
// is plain Go: no SQL, no HTTP, no clock (the caller passes now).
//
// # The state machine
//
//	action             from                                   to                  who
//	(New)              —                                      draft               analyst, mediator
//	revise             draft                                  draft               analyst, mediator
//	send               draft                                  sent                analyst, mediator
//	reply              sent, before the deadline              replied             the party concerned
//	expire             sent, at or after the deadline         deadline_passed     system (clock)
//	extend             sent, deadline_passed                  sent                mediator, with a reason
//	release_observers  replied, deadline_passed               released_observers  analyst, mediator
//	release_public     released_observers, from PublicDue on  released_public     system, analyst, mediator
//	withdraw           every state but released_public        withdrawn           analyst, mediator, with a reason
//
// Transition refuses everything else, leaving the finding unchanged, and
// returns an Event (action, from, to, actor, reason, time) for each move it
// makes; every event is meant to become a ledger entry.
//
// Decisions where the issue is silent:
//
//   - One finding concerns one party. A finding about both sides is two
//     findings. Attribution (party and confidence) is part of the content
//     and may differ from the party concerned, or be absent.
//   - The content is fixed once sent: revise works on drafts only. A
//     correction after sending is a withdrawal and a new finding, so what
//     the party replied to never changes under it.
//   - The reply window (default 72 h) starts when the finding is sent; the
//     public delay (default 24 h) when it is released to observers. Both
//     are fixed at creation, between 1 h (0 for the delay) and 30 days.
//   - The deadline is exclusive: a reply at the deadline is too late, and
//     the clock may expire the finding from that instant. A party replies
//     once (text of 1 to 20000 characters, up to 50 distinct SHA-256
//     hashes); Transition stamps the reply's time and author.
//   - Only the mediator extends a deadline (a concession to a party is the
//     convener's decision), with a reason, to a later time no more than 30
//     days away; extending a passed deadline reopens the finding for reply.
//   - A finding is released to observers only after the party replied or
//     the deadline passed, never while the party may still answer.
//   - The public release is due PublicDue (observer release + delay). The
//     clock releases it then; an analyst or the mediator may do it later by
//     hand, never earlier.
//   - Withdrawal ends the loop from any state before public release; what
//     is public stays public (the ledger would show it anyway). A withdrawn
//     finding stays visible, with its reason, to whoever it had reached.
//   - Reasons: every event carries one. withdraw and extend need the
//     actor's own; the other actions take a standard reason when none is
//     given.
//
// # Who sees what
//
// Visible is the one rule for the authorization layer: analysts, the
// mediator and the system see everything; the party concerned from sending;
// the other party and observers from release to observers (the first tier
// of release: the parties, the mediator and the observers); everyone else
// from public release. The reply goes with the finding. Refusals follow it
// too: an actor who may not see a finding gets derrors.ErrNotFound, so a
// party cannot learn that a finding about the other party exists.
package finding
