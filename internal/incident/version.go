package incident

// Version names the rules by which a Fuser groups observations into
// incidents and sums them up. Whatever keeps incidents a Fuser made (the
// server's stored finished incidents) keeps the version with them, and
// makes them all again when it changes. Raise it with any change to those
// rules: TestVersion holds it to the golden incidents of testdata.
const Version = 1
