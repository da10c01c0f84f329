package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/onramp-lms/onramp/internal/db"
)

func init() {
	register("backup", "write a consistent copy of the SQLite database to FILE, even while serving", runBackup)
}

// runBackup copies the SQLite database with VACUUM INTO: one read
// transaction, so the copy is the database as it stood at one instant, taken
// while the server goes on writing (WAL lets readers and the writer run side
// by side). The copy is written under a temporary name, checked with
// PRAGMA integrity_check, and only then given FILE's name, so a FILE that
// exists is always a whole, checked backup.
func runBackup(ctx context.Context, env Env, args []string) int {
	fs, load := flags("backup", env)
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: onramp backup FILE [flags]\n\nWrites a consistent copy of the SQLite database to FILE, which must not exist yet.\nOn PostgreSQL use pg_dump instead (see docs/deployment.md).")
		fs.PrintDefaults()
	}
	// FILE may come before the flags or after them.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	cfg, code := parse(fs, load, args, env)
	if code >= 0 {
		return code
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		file = ""
	}
	if file == "" {
		fs.Usage()
		return 2
	}
	if db.DialectOf(cfg.DatabaseURL) == db.Postgres {
		fmt.Fprintln(env.Stderr, "onramp: backup copies SQLite databases only; back up PostgreSQL with `pg_dump -Fc` (see \"Backups and restore\" in docs/deployment.md)")
		return 1
	}
	src := db.SQLitePath(cfg.DatabaseURL)
	size, err := backupSQLite(ctx, src, file)
	if err != nil {
		fmt.Fprintf(env.Stderr, "onramp: backup failed: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stdout, "Backed up %s to %s (%s, integrity check ok).\n", src, file, humanBytes(size))
	return 0
}

// backupSQLite writes a checked copy of the database at src to dst and
// returns its size.
func backupSQLite(ctx context.Context, src, dst string) (int64, error) {
	if st, err := os.Stat(src); err != nil || !st.Mode().IsRegular() {
		// Opening it would create an empty database, and back that up.
		return 0, fmt.Errorf("there is no database file at %s (set --db or ONRAMP_DATABASE_URL)", src)
	}
	if _, err := os.Lstat(dst); err == nil {
		return 0, fmt.Errorf("%s already exists; backup never overwrites, so name a new file", dst)
	}
	dir := filepath.Dir(dst)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return 0, fmt.Errorf("cannot write %s: directory %s does not exist", dst, dir)
	}
	partial, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".partial-*")
	if err != nil {
		return 0, fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	tmp := partial.Name()
	// VACUUM INTO needs a file that does not exist yet; the name was only reserved.
	_ = partial.Close()
	_ = os.Remove(tmp)
	defer os.Remove(tmp)

	d, err := db.Open(ctx, src, nil)
	if err != nil {
		return 0, err
	}
	_, err = d.SQL().ExecContext(ctx, "VACUUM INTO ?", tmp)
	_ = d.Close()
	if err != nil {
		return 0, fmt.Errorf("copy %s: %w", src, err)
	}
	if err := checkSQLite(ctx, tmp); err != nil {
		return 0, err
	}
	// It holds everyone's training records: owner only, whatever the umask.
	if err := os.Chmod(tmp, 0o600); err != nil {
		return 0, err
	}
	if err := syncFile(tmp); err != nil {
		return 0, fmt.Errorf("flush copy: %w", err)
	}
	if err := placeNoOverwrite(tmp, dst); err != nil {
		return 0, err
	}
	st, err := os.Stat(dst)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// checkSQLite opens path read-only and runs PRAGMA integrity_check.
func checkSQLite(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite3", "file:"+sqliteURIPath(path)+"?mode=ro")
	if err != nil {
		return err
	}
	defer conn.Close()
	var result string
	if err := conn.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("check copy: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("the copy failed its integrity check (%s); the database itself may be damaged", result)
	}
	return nil
}

// sqliteURIPath escapes the characters a file: URI gives meaning to.
func sqliteURIPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// placeNoOverwrite gives tmp the name dst unless dst has appeared meanwhile.
// A hard link fails when dst exists, where a rename would replace it.
func placeNoOverwrite(tmp, dst string) error {
	err := os.Link(tmp, dst)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrExist):
		return fmt.Errorf("%s already exists; backup never overwrites, so name a new file", dst)
	}
	// Some file systems have no hard links.
	if _, statErr := os.Lstat(dst); statErr == nil {
		return fmt.Errorf("%s already exists; backup never overwrites, so name a new file", dst)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("cannot write %s: %w", dst, err)
	}
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
