// Package storesql holds what the SQLite and PostgreSQL stores share
// because it does not depend on the engine: the SQL text both run
// unchanged (positional $N parameters, the same tables), and the forms in
// which records are checked and encoded before they are written and
// decoded when they are read. Each store keeps its own connections,
// transactions and engine-specific statements.
package storesql
