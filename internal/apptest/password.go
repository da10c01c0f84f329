package apptest

import "github.com/onramp-lms/onramp/internal/auth"

func hashPassword(pw string) (string, error) { return auth.HashPassword(pw) }
