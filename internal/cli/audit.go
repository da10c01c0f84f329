package cli

import (
	"context"
	"fmt"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
)

func init() {
	register("audit", "check the audit trail's hash chain (`audit verify`)", runAudit)
}

func runAudit(ctx context.Context, env Env, args []string) int {
	fs, load := flags("audit", env)
	fs.Usage = func() { fmt.Fprintln(env.Stderr, "usage: onramp audit verify [flags]"); fs.PrintDefaults() }
	if len(args) == 0 || args[0] != "verify" {
		fs.Usage()
		return 2
	}
	cfg, code := parse(fs, load, args[1:], env)
	if code >= 0 {
		return code
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, newLogger(cfg, env.Stderr))
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	defer d.Close()
	res, err := audit.Verify(ctx, d)
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	if !res.OK() {
		if res.Broken != nil {
			fmt.Fprintf(env.Stdout, "BROKEN at entry %d (%s, %s %s %s): %s\n", res.Broken.Seq,
				res.Broken.At.UTC().Format("2006-01-02 15:04:05Z"), res.Broken.Action, res.Broken.EntityType, res.Broken.EntityID, res.Problem)
		} else {
			fmt.Fprintf(env.Stdout, "BROKEN: %s\n", res.Problem)
		}
		return 1
	}
	fmt.Fprintf(env.Stdout, "Audit trail OK: %d entries, every hash and link matches.\n", res.Entries)
	return 0
}
