package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/config"
)

func init() {
	register("completions", "import completions from the previous system (`completions import FILE.csv [--dry-run]`)", runCompletions)
}

const completionsUsage = "usage: onramp completions import FILE.csv [--dry-run] [flags]"

func runCompletions(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] != "import" {
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
			fmt.Fprintf(env.Stderr, "onramp: unknown completions command %q\n", args[0])
		}
		fmt.Fprintln(env.Stderr, completionsUsage)
		return 2
	}
	return runCompletionsImport(ctx, env, args[1:])
}

// runCompletionsImport records the training history an organisation brings
// from its previous system, all or nothing.
func runCompletionsImport(ctx context.Context, env Env, args []string) int {
	fs, load := flags("completions import", env)
	dryRun := fs.Bool("dry-run", false, "check the file and show what would be recorded, changing nothing")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, completionsUsage+`

Records each row of FILE.csv as a completed cycle, so refreshers continue from
the right dates. The columns are `+strings.Join(compliance.CompletionColumns[:3], ",")+`, and optionally
score (0-100) and evidence (free text); employee_id is the HR system's ID and
course is a course ID that `+"`onramp courses`"+` lists. completed_at is YYYY-MM-DD or an
RFC 3339 time. Every row is checked before anything is written: any bad row
stops the whole import and nothing is recorded.

A sound file is recorded in batches of short transactions, so the site stays
responsive during a large import. If the import stops part-way (a crash, a
lost connection), run the same command with the same file again: it finishes
what the interrupted run left, without recording anything twice. A file whose
import finished is refused if imported again.

Flags:`)
		fs.PrintDefaults()
	}
	cfg, files, code := parseWithArgs(fs, load, args, env)
	if code >= 0 {
		return code
	}
	if len(files) != 1 {
		fmt.Fprintf(env.Stderr, "onramp: give exactly one CSV file to import (got %d)\n%s\n", len(files), completionsUsage)
		return 2
	}
	path := files[0]
	file, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: cannot read %s: %v\nNothing was imported.\n", path, errors.Unwrap(err))
		return 1
	}
	defer file.Close()

	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	// Batch by batch: a refresher whose window is already open starts, and
	// its e-mail is queued, with the completions that open it; the report
	// standings of the batch's people are brought up to date with them.
	res, err := compliance.ImportCompletions(ctx, a.DB, file, compliance.CompletionsImportOptions{
		SourceFile: filepath.Base(path), Now: a.Clock.Now(), DryRun: *dryRun, Engine: a.Engine,
	})
	if err != nil {
		return importFailed(env, path, fmt.Errorf("import completions: %w", err))
	}

	plan := res.Plan
	if *dryRun {
		fmt.Fprintf(env.Stdout, "Dry run of %s: would record %s.\n", path, plan.Summary())
	} else {
		fmt.Fprintf(env.Stdout, "Imported %s: recorded %s.\n", path, plan.Summary())
	}
	if len(plan.IgnoredColumns) > 0 {
		fmt.Fprintf(env.Stdout, "Ignored columns: %s (the import does not use them).\n", strings.Join(plan.IgnoredColumns, ", "))
	}
	if res.Resumed {
		fmt.Fprintf(env.Stdout, "This finishes an earlier import of the same file that stopped part-way: %d %s it had recorded %s skipped.\n",
			res.Skipped, pluralWord(res.Skipped, "row", "rows"), pluralWord(res.Skipped, "was", "were"))
	}
	for _, c := range plan.Completions {
		fmt.Fprintln(env.Stdout, c.Line())
	}
	if more := plan.Total - len(plan.Completions); more > 0 {
		fmt.Fprintf(env.Stdout, "… and %d more %s\n", more, pluralWord(more, "completion", "completions"))
	}
	if lines := plan.RefresherLines(); len(lines) > 0 {
		if *dryRun {
			fmt.Fprintln(env.Stdout, "Refreshers whose window is already open would start at once:")
		} else {
			fmt.Fprintln(env.Stdout, "Refreshers whose window is already open started at once:")
		}
		for _, line := range lines {
			fmt.Fprintln(env.Stdout, "  "+line)
		}
	}
	if *dryRun {
		fmt.Fprintln(env.Stdout, "\nDry run: nothing was changed.")
	}
	return 0
}

// parseWithArgs is parse for commands that take arguments as well as flags:
// flags may come before, between or after the arguments ("--" ends the
// flags). It returns the arguments in order.
func parseWithArgs(fs *flag.FlagSet, load func() (config.Config, error), args []string, env Env) (config.Config, []string, int) {
	var positional []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return config.Config{}, nil, 0
			}
			return config.Config{}, nil, 2
		}
		left := fs.Args()
		if len(left) == 0 {
			break
		}
		if consumed := len(rest) - len(left); consumed > 0 && rest[consumed-1] == "--" {
			positional = append(positional, left...)
			break
		}
		positional = append(positional, left[0])
		rest = left[1:]
	}
	cfg, err := load()
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: bad setting %v\n", err)
		return cfg, nil, 2
	}
	return cfg, positional, -1
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
