package db

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// lockHelperEnv makes the test binary, started by
// TestSQLiteLockExcludesAnotherProcess, take the lock and hold it until
// killed.
const lockHelperEnv = "ONRAMP_TEST_LOCK_HELPER"

func TestLockHelperProcess(t *testing.T) {
	path := os.Getenv(lockHelperEnv)
	if path == "" {
		t.Skip("run by TestSQLiteLockExcludesAnotherProcess only")
	}
	d, err := Open(context.Background(), path, nil)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	_, ok, err := d.TryAdvisoryLock(context.Background(), 1)
	if err != nil || !ok {
		fmt.Println("lock:", ok, err)
		os.Exit(1)
	}
	fmt.Println("locked")
	select {} // held until the parent kills this process
}

// Two processes on one SQLite file: while one holds a lock (any key), the
// other gets none, and learns which file and process; when the holder is
// killed, the operating system frees the lock at once.
func TestSQLiteLockExcludesAnotherProcess(t *testing.T) {
	t.Parallel()
	if DialectOf(os.Getenv(testDatabaseEnv)) == Postgres {
		t.Skip("the file lock is SQLite's; PostgreSQL uses advisory locks")
	}
	ctx := context.Background()
	path := newTestURL(t)
	d := openTest(t, path)

	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper process: %q, %v", line, err)
	}

	lockFile, err := d.LockFile(ctx)
	if err != nil || lockFile != path+".lock" {
		t.Fatalf("LockFile = %q, %v; want %q", lockFile, err, path+".lock")
	}
	for _, key := range []int64{1, 2} {
		if release, ok, err := d.TryAdvisoryLock(ctx, key); err != nil || ok {
			release()
			t.Fatalf("key %d: got the lock another process holds (ok=%v err=%v)", key, ok, err)
		}
	}
	if got := LockHolder(lockFile); got != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("LockHolder = %q, want the helper's pid %d", got, cmd.Process.Pid)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	release, ok, err := d.TryAdvisoryLock(ctx, 1)
	if err != nil || !ok {
		t.Fatalf("after the holder was killed: ok=%v err=%v", ok, err)
	}
	// Within this process, keys stay independent while the file is held.
	other, ok, err := d.TryAdvisoryLock(ctx, 2)
	if err != nil || !ok {
		t.Fatalf("another key in the same process: ok=%v err=%v", ok, err)
	}
	other()
	release()
}
