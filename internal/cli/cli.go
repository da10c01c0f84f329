// Package cli is Onramp's command line: one binary, many subcommands. Each
// subcommand lives in its own file and returns an exit code: 0 success,
// 1 failure, 2 bad usage or a bad setting.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/onramp-lms/onramp/internal/app"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/config"
)

// Env is what a command runs with: its output streams and environment.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Clock is the commands' clock; nil for the real one (tests set a
	// fake one to compare a command with the other entry points).
	Clock clock.Clock
}

type command struct {
	summary string
	run     func(ctx context.Context, env Env, args []string) int
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, env Env, args []string) int) {
	commands[name] = command{summary: summary, run: run}
}

// Main runs the subcommand named by args[0] and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "onramp: unknown command %q (run `onramp help` for the list)\n", args[0])
		return 2
	}
	return cmd.run(ctx, env, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Onramp — onboarding and compliance training.\n\nUsage: onramp COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-22s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun `onramp COMMAND -h` for a command's flags. Every flag can also be set with its ONRAMP_* variable.")
}

// flags makes a FlagSet that writes its help to stderr and returns a
// function giving the validated Config after parsing.
func flags(name string, env Env) (*flag.FlagSet, func() (config.Config, error)) {
	fs := flag.NewFlagSet("onramp "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs, config.Register(fs, env.Getenv)
}

// parse parses args and the configuration. It returns a non-negative exit
// code when the command must stop: help asked for (0) or a bad flag or
// setting (2), reported as one line naming the setting.
func parse(fs *flag.FlagSet, load func() (config.Config, error), args []string, env Env) (config.Config, int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config.Config{}, 0
		}
		return config.Config{}, 2
	}
	cfg, err := load()
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: bad setting %v\n", err)
		return cfg, 2
	}
	return cfg, -1
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel)))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// openApp opens the app for a command, printing a one-line reason on failure.
func openApp(ctx context.Context, cfg config.Config, env Env) (*app.App, int) {
	a, err := app.Open(ctx, cfg, newLogger(cfg, env.Stderr), env.Clock)
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return nil, 1
	}
	return a, -1
}
