// Package ledger implements truce's tamper-evident log: a Merkle-tree
// transparency log with RFC 6962 hashing, built on golang.org/x/mod/sumdb/tlog,
// whose checkpoints, cosignatures and tiles follow the C2SP specifications
// tlog-checkpoint, tlog-cosignature, signed-note and tlog-tiles.
//
// The ledger is public; the records it covers are not. Each leaf is an
// encoded [Entry]: a record's type, its id, when it was accepted and a salted
// SHA-256 commitment to the record's canonical bytes. Nothing else about a
// record enters the ledger.
//
// # Contract
//
// Writers (the store) MUST follow these rules; verifiers (package audit,
// witnesses, any third party) rely on them and report every breach.
//
//   - A leaf MUST be the output of [Entry.Encode]. Its leaf hash is
//     tlog.RecordHash(leaf), that is SHA-256(0x00 || leaf) as in RFC 6962.
//   - An entry MUST NOT contain personal data or record content other than
//     through [Commit]. Type and ID MUST be public: ids are client-chosen UUIDs
//     or similar opaque names, never names of people.
//   - The salt of each commitment MUST come from [NewSalt] and MUST be stored
//     with the record, so that releasing the record and its salt lets anyone
//     check the commitment with [VerifyCommitment]. A salt MUST NOT be reused.
//   - Entries MUST be appended with [Append] in the same database transaction
//     that stores the record they cover, together with the entry bytes
//     themselves at the same index. Either all of them are committed or none.
//   - Appends MUST be serialised: the tree size n passed to [Append] MUST be the
//     size committed by the previous append, read inside the same transaction
//     under a lock (or an equivalent uniqueness constraint on hash indexes that
//     makes a concurrent append fail and retry).
//   - Stored hashes and entries MUST NOT be updated or deleted. The hash
//     storage is append-only: [HashStore.WriteHashes] is called with start equal
//     to the number of hashes already stored.
//   - AcceptedAt MUST NOT decrease along the log: the store sets it to the
//     later of the clock and the previous entry's AcceptedAt. Verifiers report a
//     decrease as back-dating.
//   - A leaf MUST be at most [MaxEntrySize] bytes, the limit of the tlog-tiles
//     entry bundle encoding.
//   - The log MUST NOT sign two checkpoints that are inconsistent with each
//     other (a fork) or a checkpoint smaller than one already signed (a
//     rollback). The log key's name MUST equal the checkpoint origin.
//
// # Serving
//
// [Handler] serves the checkpoint, hash tiles, entry bundles and JSON proofs
// at tlog-tiles paths below a prefix (truce mounts it at /ledger/), and accepts
// witness cosignatures. Tiles are computed on demand from the stored hashes, so
// no tile files need to be written.
//
// # Verifying
//
// Package audit fetches a log over HTTP (or from files), checks checkpoint
// signatures, witness quorum and consistency with a saved checkpoint,
// recomputes the whole tree from its entries, checks records against their
// commitments, and cosigns checkpoints as a witness. It verifies proofs with
// github.com/transparency-dev/merkle, an implementation independent of the
// writer's.
package ledger
