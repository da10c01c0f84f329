package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/onramp-lms/onramp/internal/demo"
)

func init() {
	register("demo", "serve a demo hospital with sample people (data in <data>/demo.db)", runDemo)
}

func runDemo(ctx context.Context, env Env, args []string) int {
	fs, load := flags("demo", env)
	cfg, code := parse(fs, load, args, env)
	if code >= 0 {
		return code
	}
	cfg.Demo = true
	if cfg.OrgName == "" {
		cfg.OrgName = demo.Organisation
	}
	if fs.Lookup("db").Value.String() == "" && env.Getenv("ONRAMP_DATABASE_URL") == "" {
		// The demo never touches the real database file.
		cfg.DatabaseURL = filepath.Join(cfg.DataDir, "demo.db")
	}
	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	ln, err := a.Listen()
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	defer ln.Close()
	if err := demo.Seed(ctx, a); err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stdout, "\nOnramp demo — %s\n\nOpen %s and sign in with one of these accounts (password %q):\n\n",
		demo.Organisation, cfg.BaseURL, demo.Password)
	for _, acc := range demo.Accounts {
		fmt.Fprintf(env.Stdout, "  %-22s %-14s %-9s %s\n", acc.Email, acc.Name, acc.Role, acc.Story)
	}
	fmt.Fprintf(env.Stdout, "\nDemo data lives in %s; delete it to start over. Press Ctrl+C to stop.\n\n", cfg.DatabaseURL)
	if err := a.ServeListener(ctx, ln); err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	return 0
}
