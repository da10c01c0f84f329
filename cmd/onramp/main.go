// Command onramp is Onramp's one binary: the web server, the demo, and the
// operator's commands. Run `onramp help` for the list.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/onramp-lms/onramp/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
