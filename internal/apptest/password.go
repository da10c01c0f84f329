package apptest

import "github.com/onramp-lms/onramp/internal/auth"

// hashPassword hashes at argon2id's cheapest parameters (auth.CostTest):
// production-strength hashing was most of the suite's time. Apps built by
// New set and check passwords at the same cost.
func hashPassword(pw string) (string, error) { return auth.CostTest.Hash(pw) }
