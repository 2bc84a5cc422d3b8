package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"

	"truce/internal/ledger"
)

func runKeygen(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "keygen", `keygen -kind device|log|witness [-name NAME] -out PREFIX

Writes a key pair: PREFIX.key (secret, mode 0600) and PREFIX.pub (public).
  device   Ed25519 for a monitor's device: PEM private key, base64 public key
           (for 'truce user add -pubkey').
  log      the ledger's checkpoint key, a C2SP signed-note key named by the
           log's origin (for 'truce serve -log-key'; verifiers get PREFIX.pub).
  witness  a C2SP tlog-cosignature key named NAME (for 'truce witness -key';
           register PREFIX.pub with 'truce user add -role witness -pubkey').`)
	kind := fs.String("kind", "device", "device, log or witness")
	name := fs.String("name", "", "for log and witness keys: a schema-less URL naming the log (its origin) or the witness, e.g. witness.example.org/w1")
	out := fs.String("out", "", "file name prefix for the key pair")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" || (*kind != "device" && *name == "") {
		fs.Usage()
		return errUsage
	}
	var secret, public []byte
	switch *kind {
	case "device":
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return fmt.Errorf("keygen: %w", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return fmt.Errorf("keygen: %w", err)
		}
		secret = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		public = []byte(base64.StdEncoding.EncodeToString(pub) + "\n")
	case "log", "witness":
		gen := ledger.GenerateKey
		if *kind == "witness" {
			gen = ledger.GenerateWitnessKey
		}
		skey, vkey, err := gen(*name)
		if err != nil {
			return fmt.Errorf("keygen: %w", err)
		}
		secret, public = []byte(skey+"\n"), []byte(vkey+"\n")
	default:
		return fmt.Errorf("keygen: unknown -kind %q (want device, log or witness)", *kind)
	}
	if err := writeNew(*out+".key", secret, 0o600); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	if err := writeNew(*out+".pub", public, 0o644); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s.key (keep it secret) and %s.pub\n", *out, *out)
	return nil
}

// writeNew writes a file that must not exist yet, so a key is never
// overwritten by accident.
func writeNew(name string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
