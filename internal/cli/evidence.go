package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/onramp-lms/onramp/internal/evidence"
)

func init() {
	register("evidence", "export an evidence pack for surveyors (`evidence pack --out FILE.zip [--department D]`)", runEvidence)
}

const evidenceUsage = `usage: onramp evidence pack --out FILE.zip [--department D] [flags]

Writes a zip with a PDF transcript for each person (active employees, and
former ones with training records), completions.csv, the text of every content
version those records refer to, and manifest.json and manifest.sha256 listing
every file with its SHA-256 (check them with: sha256sum -c manifest.sha256).
Without --department the pack covers the whole organisation. The export is
written to the audit trail.`

func runEvidence(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] != "pack" {
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
			fmt.Fprintf(env.Stderr, "onramp: unknown evidence command %q\n", args[0])
		}
		fmt.Fprintln(env.Stderr, evidenceUsage)
		return 2
	}
	fs, load := flags("evidence pack", env)
	out := fs.String("out", "", "the zip file to write (required)")
	dept := fs.String("department", "", "only this department (default: the whole organisation)")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, evidenceUsage+"\n\nFlags:")
		fs.PrintDefaults()
	}
	cfg, code := parse(fs, load, args[1:], env)
	if code >= 0 {
		return code
	}
	if *out == "" {
		fmt.Fprintln(env.Stderr, "onramp: --out names the zip file to write, e.g. --out evidence.zip")
		return 2
	}
	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()

	// A failed export never leaves a half pack under the name asked for
	// (writeOut).
	actor := cliActor()
	var res *evidence.PackResult
	err := writeOut(*out, 0o600, func(f *os.File) error {
		var err error
		res, err = evidence.WritePack(ctx, a.DB, a.Catalog, f, evidence.PackOptions{
			Department: *dept, By: evidence.Actor{Name: actor.Name}, Now: a.Clock.Now(), Via: "the command line",
			Organisation: a.Config.OrgName,
		})
		return err
	})
	switch {
	case errors.Is(err, evidence.ErrUnknownDepartment):
		fmt.Fprintf(env.Stderr, "onramp: nobody works in the department %q; check its spelling (it must match the staff list)\n", *dept)
		return 1
	case err != nil:
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	m := res.Manifest
	fmt.Fprintf(env.Stdout, "Wrote %s: %d %s, %d content %s, %d files in all.\n", *out, m.Employees,
		pluralWord(m.Employees, "transcript", "transcripts"), len(m.Versions), pluralWord(len(m.Versions), "version", "versions"), len(m.Files)+2)
	fmt.Fprintf(env.Stdout, "manifest.json SHA-256 %s (recorded in the audit trail).\n", res.ManifestSHA256)
	return 0
}
