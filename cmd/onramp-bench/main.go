// Command onramp-bench builds the hospital-scale dataset of issue 10 and
// measures Onramp on it, so anyone can rerun the numbers in
// docs/performance.md:
//
//	go run ./cmd/onramp-bench generate --people 100000 --courses 20 --out DIR [--seed N] [--as-of DATE]
//	go run ./cmd/onramp-bench run --dir DIR [--db sqlite|postgres://…] [--onramp PATH] [--json FILE]
//
// generate writes DIR/content (the shipped course copied under new IDs and
// titles, each with a rule for everyone, every year), DIR/staff.csv (for
// `onramp employees import`), DIR/completions.csv (for `onramp completions
// import`) and DIR/bench.json (what the runner needs to know about them).
// run builds the onramp binary, runs each step as a child process with a
// timeout, and prints a Markdown table of wall time and peak resident
// memory, with the same work done by the sqlite3 shell or psql beside it.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "generate":
		return runGenerate(args[1:], stdout, stderr)
	case "run":
		return runBench(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "onramp-bench: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `usage:
  onramp-bench generate --people 100000 --courses 20 --out DIR [--seed N] [--as-of YYYY-MM-DD]
  onramp-bench run --dir DIR [--db sqlite|postgres://…] [--onramp PATH] [--json FILE]

Run `+"`onramp-bench COMMAND -h`"+` for a command's flags. See docs/performance.md.`)
}
