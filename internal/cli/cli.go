// Package cli is Onramp's command line: one binary, many subcommands. Each
// subcommand lives in its own file and returns an exit code (exitCodes
// lists them): 0 success, 1 failure, 2 bad usage or a bad setting, and for
// a refusal by Onramp's rules the sysexits.h code of its apperr code, which
// exitCode picks in one place.
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
	"github.com/onramp-lms/onramp/internal/apperr"
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
	fmt.Fprint(w, exitCodes)
}

// The exit codes: sysexits.h's where one fits.
const (
	exitFailure     = 1  // could not do it: database, file, listen address, a bug
	exitUsage       = 2  // bad usage or a bad setting
	exitDataErr     = 65 // EX_DATAERR: the input is wrong (apperr Invalid, Malformed)
	exitNoInput     = 66 // EX_NOINPUT: what it names does not exist (NotFound, Gone)
	exitUnavailable = 69 // EX_UNAVAILABLE: a service Onramp needs is unavailable (Unavailable)
	exitTempFail    = 75 // EX_TEMPFAIL: the state does not allow it now (Conflict, TooMany)
	exitNoPerm      = 77 // EX_NOPERM: not allowed (Forbidden, Unauthorized)
)

// exitCodes is the help's list of exit codes; README and
// docs/deployment.md say the same.
const exitCodes = `
Exit codes (sysexits.h where one fits):
  0   done (also scheduler run-once when another process holds the lock)
  1   failed: the database, a file, the listen address, or a bug
  2   bad usage or a bad setting
  65  the input is wrong (a file's rows, a value): nothing was changed
  66  what it names does not exist (an employee_id, a course, a token)
  69  a service Onramp needs is unavailable
  75  the current state does not allow it (already done, changed meanwhile): check and run again
  77  not allowed
`

// exitCode is the one place an error becomes an exit code: a domain
// error's apperr code its sysexits.h code, anything else 1.
func exitCode(err error) int {
	switch apperr.CodeOf(err) {
	case apperr.Invalid, apperr.Malformed:
		return exitDataErr
	case apperr.NotFound, apperr.Gone:
		return exitNoInput
	case apperr.Unavailable:
		return exitUnavailable
	case apperr.Conflict, apperr.TooMany:
		return exitTempFail
	case apperr.Forbidden, apperr.Unauthorized:
		return exitNoPerm
	}
	return exitFailure
}

// fail prints err as one line, "onramp: " before it and then (when not
// empty) after, and returns its exit code.
func fail(env Env, err error, after string) int {
	fmt.Fprintf(env.Stderr, "onramp: %v%s\n", err, after)
	return exitCode(err)
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
