package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/cli"
	"github.com/onramp-lms/onramp/internal/db"
)

type backupRun struct {
	code           int
	stdout, stderr string
}

// runBackup runs `onramp backup args…` with only the given ONRAMP_* variables.
func runBackup(t *testing.T, vars map[string]string, args ...string) backupRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"backup"}, args...), cli.Env{
		Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return vars[k] },
	})
	return backupRun{code, stdout.String(), stderr.String()}
}

// newSQLite makes a migrated SQLite database: backup is about SQLite whatever
// database the rest of the suite runs on.
func newSQLite(t *testing.T) (string, *db.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "onramp.db")
	d, err := db.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return path, d
}

// A backup taken while other connections keep writing is a sound database
// holding every row committed before the backup began.
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	path, live := newSQLite(t)
	ctx := context.Background()

	var (
		mu        sync.Mutex
		committed = map[string]time.Time{} // row ID → when its commit returned
		stop      = make(chan struct{})
		wg        sync.WaitGroup
	)
	insert := func(writer, n int) error {
		id := fmt.Sprintf("w%d-%06d", writer, n)
		err := live.WithContext(ctx).Exec(`INSERT INTO login_attempts (id, email, ip, attempted_at, succeeded) VALUES (?, ?, ?, ?, ?)`,
			id, "someone@example.org", "192.0.2.1", time.Now().UTC(), n%2 == 0).Error
		if err == nil {
			mu.Lock()
			committed[id] = time.Now()
			mu.Unlock()
		}
		return err
	}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := insert(w, n); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	// Let the writers get going, then back up under their feet.
	for {
		mu.Lock()
		n := len(committed)
		mu.Unlock()
		if n >= 200 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	file := filepath.Join(t.TempDir(), "onramp-backup.db")
	began := time.Now()
	run := runBackup(t, map[string]string{"ONRAMP_DATABASE_URL": path}, file)
	mu.Lock()
	during := len(committed)
	mu.Unlock()
	time.Sleep(20 * time.Millisecond) // writers carry on after the backup, too
	close(stop)
	wg.Wait()
	if run.code != 0 {
		t.Fatalf("backup: exit %d; stderr:\n%s", run.code, run.stderr)
	}
	if !strings.Contains(run.stdout, file) || !strings.Contains(run.stdout, "integrity check ok") {
		t.Errorf("output does not name the file and the check:\n%s", run.stdout)
	}

	restored, err := db.Open(ctx, file, nil)
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	defer restored.Close()
	var check string
	if err := restored.SQL().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v; want ok", check, err)
	}
	if n, err := restored.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("the backup has %d pending migrations (%v): the schema did not come along", n, err)
	}
	rows, err := restored.SQL().QueryContext(ctx, "SELECT id FROM login_attempts")
	if err != nil {
		t.Fatal(err)
	}
	inBackup := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		inBackup[id] = true
	}
	rows.Close()
	mu.Lock()
	defer mu.Unlock()
	before := 0
	for id, at := range committed {
		if at.Before(began) {
			before++
			if !inBackup[id] {
				t.Errorf("row %s committed before the backup began but is missing from it", id)
			}
		}
	}
	for id := range inBackup {
		if _, ok := committed[id]; !ok {
			t.Errorf("the backup holds row %s that never committed", id)
		}
	}
	t.Logf("%d rows committed before the backup, %d by its end, %d in total; %d in the backup", before, during, len(committed), len(inBackup))
	if len(committed) <= len(inBackup) {
		t.Log("no write landed after the backup's snapshot; the test did not overlap as intended")
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	path, _ := newSQLite(t)
	file := filepath.Join(t.TempDir(), "existing.db")
	if err := os.WriteFile(file, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := runBackup(t, map[string]string{"ONRAMP_DATABASE_URL": path}, file)
	if run.code != 1 || !strings.Contains(run.stderr, "already exists") || strings.Count(run.stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q; want 1 and one line saying the file exists", run.code, run.stderr)
	}
	if b, _ := os.ReadFile(file); string(b) != "precious" {
		t.Fatal("the existing file was changed")
	}
}

func TestBackupPostgresPointsAtPgDump(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "b.db")
	run := runBackup(t, map[string]string{"ONRAMP_DATABASE_URL": "postgres://onramp@db.example.org/onramp"}, file)
	if run.code != 1 || !strings.Contains(run.stderr, "pg_dump") || !strings.Contains(run.stderr, "docs/deployment.md") {
		t.Fatalf("exit %d, stderr %q; want 1 and a pointer to pg_dump", run.code, run.stderr)
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("a file was written")
	}
}

func TestBackupErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path, _ := newSQLite(t)
	missing := filepath.Join(dir, "nothing-here.db")
	cases := []struct {
		name string
		db   string
		args []string
		code int
		want string
	}{
		{"no file named", path, nil, 2, "usage: onramp backup FILE"},
		{"two files named", path, []string{"a.db", "b.db"}, 2, "usage: onramp backup FILE"},
		{"no database", missing, []string{filepath.Join(dir, "b.db")}, 1, "no database file at " + missing},
		{"no such directory", path, []string{filepath.Join(dir, "nope", "b.db")}, 1, "does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			run := runBackup(t, map[string]string{"ONRAMP_DATABASE_URL": tc.db}, tc.args...)
			if run.code != tc.code || !strings.Contains(run.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", run.code, run.stderr, tc.code, tc.want)
			}
			if tc.code == 1 && strings.Count(run.stderr, "\n") != 1 {
				t.Fatalf("stderr is not one line: %q", run.stderr)
			}
		})
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("backing up a missing database created it")
	}
}

// Flags may follow FILE, as in `onramp backup FILE --db PATH`.
func TestBackupFlagsAfterFile(t *testing.T) {
	t.Parallel()
	path, _ := newSQLite(t)
	file := filepath.Join(t.TempDir(), "b.db")
	run := runBackup(t, nil, file, "--db", path)
	if run.code != 0 {
		t.Fatalf("exit %d; stderr %s", run.code, run.stderr)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode %v, want 0600: it holds personal data", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 {
		t.Fatalf("backup left %d files behind, want only the backup: %v", len(entries), entries)
	}
}
