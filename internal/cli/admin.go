package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/people"
)

func init() {
	register("admin", "manage HR admins (`admin create --email E --name \"First Last\"`)", runAdmin)
}

func runAdmin(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(env.Stderr, "usage: onramp admin create --email E --name \"First Last\" [flags]")
		return 2
	}
	return runAdminCreate(ctx, env, args[1:])
}

// errEmailTaken is returned from the transaction when the address is in use.
var errEmailTaken = errors.New("e-mail address already in use")

// runAdminCreate creates an active HR admin and prints a set-password link,
// so the first person can sign in on a fresh installation.
func runAdminCreate(ctx context.Context, env Env, args []string) int {
	fs, load := flags("admin create", env)
	email := fs.String("email", "", "the HR admin's e-mail address (required)")
	name := fs.String("name", "", `the HR admin's first and last name, e.g. "Grace Hopper" (required)`)
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: onramp admin create --email E --name \"First Last\" [flags]\n\nCreates an HR admin and prints a single-use link to set their password.\n\nFlags:")
		fs.PrintDefaults()
	}
	cfg, code := parse(fs, load, args, env)
	if code >= 0 {
		return code
	}
	address := people.NormalizeEmail(*email)
	if address == "" || !strings.Contains(address, "@") || strings.ContainsAny(address, " \t\r\n") {
		fmt.Fprintf(env.Stderr, "onramp: --email needs an e-mail address, for example --email hr@example.org (got %q)\n", *email)
		return 2
	}
	first, last, ok := splitName(*name)
	if !ok {
		fmt.Fprintf(env.Stderr, "onramp: --name needs a first and a last name separated by a space, for example --name \"Grace Hopper\" (got %q)\n", *name)
		return 2
	}

	a, code := openApp(ctx, cfg, env)
	if code >= 0 {
		return code
	}
	defer a.Close()
	emp := &people.Employee{Email: address, FirstName: first, LastName: last, Role: people.RoleHRAdmin, Status: people.StatusActive}
	var link string
	var expiry string
	err := a.DB.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&people.Employee{}).Where("email = ?", address).Count(&n).Error; err != nil {
			return fmt.Errorf("look up %s: %w", address, err)
		}
		if n > 0 {
			return errEmailTaken
		}
		if err := people.Create(tx, emp, a.Clock.Now()); err != nil {
			return err
		}
		token, expiresAt, err := a.Auth.NewInvitation(tx, emp.ID)
		if err != nil {
			return err
		}
		link = a.Config.BaseURL.JoinPath("invite", token).String()
		expiry = expiresAt.UTC().Format("2 January 2006 at 15:04 UTC")
		return nil
	})
	if errors.Is(err, errEmailTaken) {
		fmt.Fprintf(env.Stderr, "onramp: an employee with the e-mail address %s already exists; nothing was changed\n", address)
		return 1
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: create HR admin: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stdout, "Created HR admin %s <%s>.\n\n", emp.FullName(), emp.Email)
	fmt.Fprintf(env.Stdout, "Send them this link to set their password (it works once, until %s):\n\n  %s\n", expiry, link)
	return 0
}

// splitName splits "First Middle Last" at the last space: the family name is
// the last word, everything before it the first name(s).
func splitName(name string) (first, last string, ok bool) {
	name = strings.Join(strings.Fields(name), " ")
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return "", "", false
	}
	return name[:i], name[i+1:], true
}
