package cli

import (
	"context"
	"fmt"
)

func init() {
	register("serve", "run the web server (migrations are applied first)", runServe)
}

func runServe(ctx context.Context, env Env, args []string) int {
	fs, load := flags("serve", env)
	cfg, code := parse(fs, load, args, env)
	if code >= 0 {
		return code
	}
	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	// Listen before anything runs in the background: a busy port or a bad
	// address stops here, with one line and exit 1.
	ln, err := a.Listen()
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stdout, "Onramp is serving at %s\n", cfg.BaseURL)
	if err := a.ServeListener(ctx, ln); err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	return 0
}
