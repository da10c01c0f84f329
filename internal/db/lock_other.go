//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package db

import "os"

// tryLockFile cannot lock across processes on this system: only the
// process-local mutex of TryAdvisoryLock excludes. Run one Onramp process
// per SQLite file here.
func tryLockFile(*os.File) (bool, error) { return true, nil }

func unlockFile(*os.File) error { return nil }
