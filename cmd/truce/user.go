package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"truce/internal/auth"
	"truce/internal/ledger"
)

func runUser(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(e.stderr, "usage: truce user add -role ROLE -org ORG -name NAME [-pubkey FILE] [-db DB]")
		return errUsage
	}
	fs := newFlagSet(e, "user add", "user add -role ROLE -org ORG -name NAME [-pubkey FILE] [-db sqlite:PATH]\n\nCreates a user and prints its bearer token as the last line of stdout. The token is shown once and stored only as a hash.")
	db := dbFlag(fs)
	role := fs.String("role", "", fmt.Sprintf("role, one of %v", auth.Roles()))
	org := fs.String("org", "", "organisation; for the party role the party's two-letter code (UA, RU)")
	name := fs.String("name", "", "the user's display name")
	pubkey := fs.String("pubkey", "", "file with the Ed25519 public key (base64 or PEM) the user's observations must be signed with; for a witness, its cosignature verifier key (truce keygen -kind witness)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return fmt.Errorf("user add: -%w", err)
	}
	u := &auth.User{Name: *name, Role: r, Org: *org}
	if *pubkey != "" {
		b, err := os.ReadFile(*pubkey)
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		if r == auth.Witness {
			u.WitnessKey = strings.TrimSpace(string(b))
			if _, err := ledger.NewWitnessVerifier(u.WitnessKey); err != nil {
				return fmt.Errorf("user add: -pubkey: not a witness verifier key: %w", err)
			}
		} else if u.PublicKey, err = auth.ParsePublicKey(b); err != nil {
			return fmt.Errorf("user add: -%w", err)
		}
	}
	if err := u.Validate(); err != nil {
		return fmt.Errorf("user add: -%w", err)
	}
	store, err := openStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	defer store.Close()
	token, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	id, err := store.CreateUser(ctx, u, hash)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	signed := ""
	if u.PublicKey != nil {
		signed = ", observations must be signed"
	}
	fmt.Fprintf(e.stdout, "created user %d: %s, role %s, organisation %s%s\n%s\n", id, u.Name, u.Role, u.Org, signed, token)
	return nil
}
