package cli

import (
	"context"
	"fmt"

	"github.com/onramp-lms/onramp/internal/db"
)

func init() {
	register("migrate", "apply migrations (`migrate up`) or list them (`migrate status`)", runMigrate)
}

func runMigrate(ctx context.Context, env Env, args []string) int {
	fs, load := flags("migrate", env)
	fs.Usage = func() { fmt.Fprintln(env.Stderr, "usage: onramp migrate up|status [flags]"); fs.PrintDefaults() }
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		fs.Usage()
		return 2
	}
	action := args[0]
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
	if action == "up" {
		if err := d.Migrate(ctx); err != nil {
			fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
			return 1
		}
		fmt.Fprintln(env.Stdout, "Migrations are up to date.")
	}
	if err := d.PrintStatus(ctx, env.Stdout); err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	return 0
}
