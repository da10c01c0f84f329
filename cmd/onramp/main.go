// Command onramp is Onramp's one binary: the web server, the demo, and the
// operator's commands. Run `onramp help` for the list.
//
// ONRAMP_CPUPROFILE=FILE writes a Go CPU profile of the whole command to FILE
// (for `go tool pprof`; docs/performance.md uses it to profile the passes and
// imports).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/onramp-lms/onramp/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first interrupt asks the command to stop gracefully (serve shuts
	// down, an import that has begun writing finishes); a second one ends
	// the process at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	stopProfile := startProfile(os.Getenv("ONRAMP_CPUPROFILE"))
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stopProfile()
	stop()
	os.Exit(code)
}

// startProfile starts a CPU profile into path (nothing when path is empty)
// and returns the function that ends it.
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ONRAMP_CPUPROFILE: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "ONRAMP_CPUPROFILE: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
