package cli

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onramp-lms/onramp/internal/apitoken"
)

func init() {
	register("tokens", "API tokens for HR systems (`tokens create --name N --scope S`, `tokens list`, `tokens revoke ID`)", runTokens)
}

const tokensUsage = `usage: onramp tokens create --name N --scope S [--scope S2 …] [--expires YYYY-MM-DD] [flags]
       onramp tokens list [flags]
       onramp tokens revoke ID [flags]

An HR system calls Onramp's API (/api/v1) with a token in the header
"Authorization: Bearer <token>"; an identity provider provisions people
through SCIM (/scim/v2) with a token whose only scope is scim. The token is
printed once, when it is created; Onramp keeps only its SHA-256. Scopes:
`

func tokensHelp() string {
	var b strings.Builder
	b.WriteString(tokensUsage)
	for _, s := range apitoken.Scopes {
		fmt.Fprintf(&b, "  %-18s %s\n", s.Scope, s.Description)
	}
	return b.String()
}

func runTokens(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, tokensHelp())
		return 2
	}
	switch args[0] {
	case "create":
		return runTokensCreate(ctx, env, args[1:])
	case "list":
		return runTokensList(ctx, env, args[1:])
	case "revoke":
		return runTokensRevoke(ctx, env, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(env.Stdout, tokensHelp())
		return 0
	}
	fmt.Fprintf(env.Stderr, "onramp: unknown tokens command %q\n%s", args[0], tokensHelp())
	return 2
}

// scopeList is a repeatable --scope flag; a value may also list several
// scopes separated by commas.
type scopeList []string

func (s *scopeList) String() string { return strings.Join(*s, ",") }

func (s *scopeList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*s = append(*s, part)
		}
	}
	return nil
}

// cliActor names the person at the command line for the audit trail.
func cliActor() apitoken.Actor {
	name := "the command line"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name += " (" + u.Username + ")"
	}
	return apitoken.Actor{Name: name}
}

func runTokensCreate(ctx context.Context, env Env, args []string) int {
	fs, load := flags("tokens create", env)
	name := fs.String("name", "", `what uses the token, e.g. "Workday nightly sync" (required)`)
	var scopes scopeList
	fs.Var(&scopes, "scope", "a scope the token holds; repeat for several (required)")
	expires := fs.String("expires", "", "the last day the token works, YYYY-MM-DD (default: until revoked)")
	fs.Usage = func() {
		fmt.Fprint(env.Stderr, tokensHelp()+"\nFlags:\n")
		fs.PrintDefaults()
	}
	cfg, code := parse(fs, load, args, env)
	if code >= 0 {
		return code
	}
	nt := apitoken.NewToken{Name: *name}
	for _, s := range scopes {
		sc, ok := apitoken.ParseScope(s)
		if !ok {
			fmt.Fprintf(env.Stderr, "onramp: --scope %q is not a scope\n%s", s, tokensHelp())
			return 2
		}
		nt.Scopes = append(nt.Scopes, sc)
	}
	if *expires != "" {
		d, err := time.Parse(time.DateOnly, *expires)
		if err != nil {
			fmt.Fprintf(env.Stderr, "onramp: --expires needs a day as YYYY-MM-DD (got %q)\n", *expires)
			return 2
		}
		end := d.AddDate(0, 0, 1) // it works through the whole day
		nt.ExpiresAt = &end
	}
	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	if err := nt.Check(a.Clock.Now()); err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 2
	}
	store := &apitoken.Store{DB: a.DB}
	tok, secret, err := store.Create(ctx, nt, cliActor(), a.Clock.Now())
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stderr, "Created API token %q (%s) with %s.\n", tok.Name, tok.ID, scopes.String())
	fmt.Fprintln(env.Stderr, "Copy the token now: it is not shown again.")
	fmt.Fprintln(env.Stdout, secret)
	return 0
}

func runTokensList(ctx context.Context, env Env, args []string) int {
	fs, load := flags("tokens list", env)
	cfg, code := parse(fs, load, args, env)
	if code >= 0 {
		return code
	}
	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	tokens, err := (&apitoken.Store{DB: a.DB}).List(ctx)
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	if len(tokens) == 0 {
		fmt.Fprintln(env.Stdout, "No API tokens. Create one with: onramp tokens create --name N --scope S")
		return 0
	}
	const stamp = "2006-01-02 15:04"
	now := a.Clock.Now()
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTARTS\tSCOPES\tCREATED (UTC)\tLAST USED\tSTATE")
	for _, t := range tokens {
		var scopes []string
		for _, s := range t.ScopeList() {
			scopes = append(scopes, string(s))
		}
		used := "never"
		if t.LastUsedAt != nil {
			used = t.LastUsedAt.UTC().Format(stamp)
		}
		state := "active"
		switch {
		case t.Revoked():
			state = "revoked " + t.RevokedAt.UTC().Format(stamp)
		case t.Expired(now):
			state = "expired " + t.ExpiresAt.UTC().Format(stamp)
		case t.ExpiresAt != nil:
			state = "active until " + t.ExpiresAt.UTC().Format(stamp)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Prefix, strings.Join(scopes, ","),
			t.CreatedAt.UTC().Format(stamp), used, state)
	}
	tw.Flush()
	return 0
}

func runTokensRevoke(ctx context.Context, env Env, args []string) int {
	fs, load := flags("tokens revoke", env)
	fs.Usage = func() {
		fmt.Fprint(env.Stderr, tokensHelp()+"\nFlags:\n")
		fs.PrintDefaults()
	}
	cfg, ids, code := parseWithArgs(fs, load, args, env)
	if code >= 0 {
		return code
	}
	if len(ids) != 1 {
		fmt.Fprintln(env.Stderr, "onramp: name the token to revoke by its ID (onramp tokens list shows them)")
		return 2
	}
	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	tok, err := (&apitoken.Store{DB: a.DB}).Revoke(ctx, ids[0], cliActor(), a.Clock.Now())
	if errors.Is(err, apitoken.ErrNotFound) {
		err = apitoken.ErrNotFound.Becausef("there is no API token %q (onramp tokens list shows them)", ids[0])
	}
	if err != nil {
		return fail(env, err, "")
	}
	fmt.Fprintf(env.Stdout, "Revoked API token %q (%s) as of %s UTC.\n", tok.Name, tok.ID, tok.RevokedAt.UTC().Format("2006-01-02 15:04"))
	return 0
}
