// Package account sends and accepts set-password links with everything
// that goes with them: a link made by package auth, the e-mail that carries
// it queued in the outbox, and the audit entry, in one transaction. HR's
// invitations (one person or a selection), the sign-in page's "forgot your
// password" requests and the accepting of either link go through it, so the
// web layer needs neither the database nor the outbox.
package account
