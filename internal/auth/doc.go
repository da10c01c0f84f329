// Package auth signs people in and keeps them signed in: argon2id password
// hashes, server-side sessions (shared by every instance through the
// database), sign-in throttling, single-use set-password invitations, and the
// roles each page needs. It knows nothing of HTTP frameworks.
package auth
