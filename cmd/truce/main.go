// Command truce is the shared record of a ceasefire: the API and web
// server, and the tools that load, audit and report on it.
//
// Run `truce help` for the commands and `truce <command> -h` for each
// command's flags. Every flag may take its default from the TRUCE_*
// environment variable named in its help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "truce:", err)
		os.Exit(1)
	}
}

// errUsage means the command line was wrong; the message is already printed.
var errUsage = errors.New("usage")

// env carries what every command writes to.
type env struct {
	stdout, stderr io.Writer
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":    {"run the API and web server", runServe},
		"user":     {"manage users: user add", runUser},
		"import":   {"load observation files (JSON Lines) through the intake rules", runImport},
		"keygen":   {"make key pairs: a monitor's device, the ledger, a witness", runKeygen},
		"verify":   {"audit a running server's ledger from outside", runVerify},
		"simulate": {"write a synthetic scenario with ground truth, as JSON Lines", runSimulate},
		"eval":     {"score fusion against a scenario's ground truth, beside DBSCAN", runEval},
		"witness":  {"check and cosign the ledger's newest checkpoint", runWitness},
		"report":   {"write the daily report of a day: json, md or html", runReport},
		"export":   {"write the incidents as ACLED or UCDP CSV, GeoJSON or JSON Lines, streaming", runExport},

		"reconcile": {"match two parties' person lists; flag earlier exchanges and duplicates", runReconcile},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	e := env{stdout: stdout, stderr: stderr}
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "truce: unknown command %q\n", args[0])
		usage(stderr, cmds)
		return errUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: truce <command> [flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'truce <command> -h' for a command's flags.")
}

// newFlagSet returns a flag set whose usage names the command and its
// environment defaults.
func newFlagSet(e env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: truce %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// envOr returns the value of the TRUCE_ variable name, or def.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// parse parses args, turning a bad command line into errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// dbFlag declares the -db flag shared by the commands that open a database.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("TRUCE_DB", "sqlite:truce.db"), "database: sqlite:PATH (or a bare path), or postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=… (env TRUCE_DB)")
}

func fieldList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
