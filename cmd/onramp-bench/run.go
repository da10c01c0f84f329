package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// runOptions are the runner's settings.
type runOptions struct {
	Dir      string
	DB       string // "sqlite" or a postgres:// URL
	Onramp   string // the onramp binary; built when empty
	JSON     string
	Keep     bool
	Timeouts struct {
		Import, Completions, Pass, Page, Download time.Duration
	}
	Writers int
}

// row is one line of the results table.
type row struct {
	What     string  `json:"what"`
	Target   string  `json:"target"`
	Measured string  `json:"measured"`
	Seconds  float64 `json:"seconds,omitempty"`
	PeakRSS  int64   `json:"peak_rss_bytes,omitempty"`
	Command  string  `json:"command"`
	OK       bool    `json:"ok"`
}

// bench is one run: the dataset, the database and what was measured.
type bench struct {
	o        runOptions
	m        *Manifest
	sqlite   string // the SQLite file, "" on PostgreSQL
	dbURL    string // what ONRAMP_DATABASE_URL is set to
	out      string // DIR/run: the database, logs and downloads of this run
	rows     []row
	log      io.Writer
	serveURL string
	loadAt   [2]string // the load average when the run started and ended
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("onramp-bench run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o runOptions
	fs.StringVar(&o.Dir, "dir", "", "the dataset directory made by `onramp-bench generate` (required)")
	fs.StringVar(&o.DB, "db", "sqlite", "sqlite (a fresh file DIR/run/onramp.db) or a postgres:// URL of an EMPTY database")
	fs.StringVar(&o.Onramp, "onramp", "", "the onramp binary to measure (default: build ./cmd/onramp into DIR/run/onramp)")
	fs.StringVar(&o.JSON, "json", "", "also write the results as JSON to this file")
	fs.DurationVar(&o.Timeouts.Import, "import-timeout", 15*time.Minute, "give up on `employees import` after this long")
	fs.DurationVar(&o.Timeouts.Completions, "completions-timeout", 15*time.Minute, "give up on `completions import` after this long")
	fs.DurationVar(&o.Timeouts.Pass, "pass-timeout", 15*time.Minute, "give up on a scheduler pass after this long")
	fs.DurationVar(&o.Timeouts.Page, "page-timeout", 2*time.Minute, "give up on a page after this long")
	fs.DurationVar(&o.Timeouts.Download, "download-timeout", 10*time.Minute, "give up on a download after this long")
	fs.IntVar(&o.Writers, "writers", 4, "learners posting progress during the third pass (0: skip that step)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.Dir == "" {
		fmt.Fprintln(stderr, "onramp-bench run: --dir is required (the directory `onramp-bench generate --out` wrote)")
		return 2
	}
	// Children run in DIR/run, so every path handed to them is absolute.
	if abs, err := filepath.Abs(o.Dir); err == nil {
		o.Dir = abs
	}
	m, err := readManifest(o.Dir)
	if err != nil {
		fmt.Fprintf(stderr, "onramp-bench run: %v\n", err)
		return 2
	}
	b := &bench{o: o, m: m, log: stderr, out: filepath.Join(o.Dir, "run")}
	if err := b.prepare(ctx); err != nil {
		fmt.Fprintf(stderr, "onramp-bench run: %v\n", err)
		return 1
	}
	b.loadAt[0] = loadAverage()
	b.steps(ctx)
	b.loadAt[1] = loadAverage()
	b.printTable(stdout)
	if o.JSON != "" {
		j, _ := json.MarshalIndent(map[string]any{"manifest": m, "db": b.dialect(), "machine": machine(), "load_average": b.loadAt, "rows": b.rows}, "", "  ")
		if err := os.WriteFile(o.JSON, append(j, '\n'), 0o644); err != nil {
			fmt.Fprintf(stderr, "onramp-bench run: %v\n", err)
			return 1
		}
	}
	return 0
}

func (b *bench) dialect() string {
	if b.sqlite != "" {
		return "sqlite"
	}
	return "postgres"
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// prepare makes DIR/run, a fresh SQLite file (or checks the PostgreSQL URL)
// and the binary.
func (b *bench) prepare(ctx context.Context) error {
	if err := os.MkdirAll(b.out, 0o755); err != nil {
		return err
	}
	switch {
	case b.o.DB == "sqlite":
		b.sqlite = filepath.Join(b.out, "onramp.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(b.sqlite + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		b.dbURL = b.sqlite
	case strings.HasPrefix(b.o.DB, "postgres://"), strings.HasPrefix(b.o.DB, "postgresql://"):
		b.dbURL = b.o.DB
		db, err := sql.Open("pgx", b.dbURL)
		if err != nil {
			return err
		}
		defer db.Close()
		var tables int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&tables); err != nil {
			return fmt.Errorf("connect to %s: %w", redact(b.dbURL), err)
		}
		if tables > 0 {
			return fmt.Errorf("the database %s has %d tables; give an empty database (e.g. dropdb/createdb it first)", redact(b.dbURL), tables)
		}
	default:
		return fmt.Errorf("--db must be sqlite or a postgres:// URL, not %q", b.o.DB)
	}
	if b.o.Onramp == "" {
		b.o.Onramp = filepath.Join(b.out, "onramp")
		b.logf("building ./cmd/onramp into %s", b.o.Onramp)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b.o.Onramp, "./cmd/onramp")
		cmd.Stdout, cmd.Stderr = b.log, b.log
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/onramp (run from the repository root, or give --onramp): %w", err)
		}
	}
	abs, err := filepath.Abs(b.o.Onramp)
	if err != nil {
		return err
	}
	b.o.Onramp = abs
	return nil
}

func redact(u string) string {
	return regexp.MustCompile(`://([^:/@]+):[^@]*@`).ReplaceAllString(u, "://$1:***@")
}

// env is the environment every onramp child runs with.
func (b *bench) env(extra ...string) []string {
	env := append(os.Environ(),
		"ONRAMP_DATABASE_URL="+b.dbURL,
		"ONRAMP_CONTENT_DIR="+filepath.Join(b.o.Dir, "content"),
		"ONRAMP_DATA_DIR="+filepath.Join(b.out, "data"),
		"ONRAMP_LOG_LEVEL=warn",
		"ONRAMP_SCHEDULER_INTERVAL=0",
	)
	return append(env, extra...)
}

// childResult is what a measured child process did.
type childResult struct {
	Wall     time.Duration
	MaxRSS   int64 // bytes
	TimedOut bool
	Err      error
	Stdout   string
	Stderr   string
}

// runChild runs name with args, waits at most timeout, and measures its wall
// time and peak resident memory (from the kernel's rusage of the child).
func (b *bench) runChild(ctx context.Context, timeout time.Duration, env []string, name string, args ...string) childResult {
	return b.runChildTo(ctx, timeout, env, nil, name, args...)
}

// runChildTo is runChild with the child's standard output going to stdout
// (kept in memory when nil).
func (b *bench) runChildTo(ctx context.Context, timeout time.Duration, env []string, stdout io.Writer, name string, args ...string) childResult {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Dir = b.out
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &limited{w: &out, n: 1 << 20}, &limited{w: &errs, n: 64 << 10}
	if stdout != nil {
		cmd.Stdout = stdout
	}
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	r := childResult{Wall: time.Since(start), Err: err, Stdout: out.String(), Stderr: errs.String()}
	r.TimedOut = ctx.Err() == context.DeadlineExceeded
	r.MaxRSS = maxRSS(cmd.ProcessState)
	return r
}

func maxRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		if runtime.GOOS == "darwin" {
			return ru.Maxrss // bytes on macOS
		}
		return ru.Maxrss * 1024 // kilobytes on Linux
	}
	return 0
}

// limited keeps the first n bytes written to it.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

// onrampStep runs one measured onramp command and adds its row.
func (b *bench) onrampStep(ctx context.Context, what, target string, timeout time.Duration, env []string, args ...string) childResult {
	b.logf("%s: onramp %s", what, strings.Join(args, " "))
	r := b.runChild(ctx, timeout, env, b.o.Onramp, args...)
	measured := seconds(r.Wall)
	ok := r.Err == nil
	switch {
	case r.TimedOut:
		measured = "not finished after " + r.Wall.Round(time.Second).String()
	case r.Err != nil:
		measured = fmt.Sprintf("failed after %s (%v): %s", seconds(r.Wall), r.Err, lastLine(r.Stderr))
	}
	b.logf("  %s, peak RSS %s", measured, mib(r.MaxRSS))
	if s := strings.TrimSpace(r.Stdout); s != "" {
		b.logf("  stdout: %s", lastLine(s))
	}
	b.rows = append(b.rows, row{What: what, Target: target, Measured: measured, Seconds: r.Wall.Seconds(), PeakRSS: r.MaxRSS,
		Command: "onramp " + strings.Join(args, " "), OK: ok})
	return r
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	// Long enough for a scheduler pass's whole line (its transactions and
	// the longest come last).
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

func seconds(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func mib(n int64) string {
	if n <= 0 {
		return ""
	}
	if n >= 1<<30 {
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MB", n>>20)
}

// steps runs everything in order; a failed step is recorded and the rest
// goes on where it can.
func (b *bench) steps(ctx context.Context) {
	env := b.env()
	if r := b.onrampStep(ctx, "migrations", "", 5*time.Minute, env, "migrate", "up"); r.Err != nil {
		return
	}
	staff := b.onrampStep(ctx, fmt.Sprintf("`employees import` (%d people, %d rules)", b.m.People, len(b.m.Courses)), "≤ 60 s, ≤ 1 GB at 100k",
		b.o.Timeouts.Import, env, "employees", "import", filepath.Join(b.o.Dir, "staff.csv"))
	if staff.Err != nil {
		// Everything after measures an empty database: say so instead.
		b.rows = append(b.rows, row{What: "the other steps", Measured: "skipped: they need the people the import did not write"})
		return
	}
	b.onrampStep(ctx, fmt.Sprintf("`completions import` (%d rows)", b.m.Completions), "≤ 120 s, ≤ 1 GB at 100k",
		b.o.Timeouts.Completions, env, "completions", "import", filepath.Join(b.o.Dir, "completions.csv"))
	b.sizeRow(ctx, "after the imports")

	first := b.probedPass(ctx, "first scheduler pass after the imports (`--now T`)", "≤ 60 s at 100k", b.m.Now)
	b.outboxRow(ctx)
	if first.Err == nil || first.TimedOut {
		b.probedPass(ctx, "scheduler pass with nothing to do (same `--now` again)", "≤ 3 s", b.m.Now)
		if t, err := time.Parse(time.RFC3339, b.m.Now); err == nil {
			// The nudges the first pass's cap held back take turns, a
			// cap's worth a minute: the next pass reads those, not all.
			b.onrampStep(ctx, "scheduler pass a minute later (`--now T+1m`: the first turn of held-back nudges)", "≤ 3 s",
				b.o.Timeouts.Pass, b.env(), "scheduler", "run-once", "--now", t.Add(time.Minute).Format(time.RFC3339))
		}
	}
	b.sizeRow(ctx, "after the passes")
	b.serveSteps(ctx)
	b.shellSteps(ctx)
}

// probedPass runs `scheduler run-once --now T` while a probe times tiny
// write transactions against the same database every ~20 ms.
func (b *bench) probedPass(ctx context.Context, what, target, now string) childResult {
	p, err := b.startProbe(ctx)
	if err != nil {
		b.logf("write probe: %v", err)
	}
	r := b.onrampStep(ctx, what, target, b.o.Timeouts.Pass, b.env(), "scheduler", "run-once", "--now", now)
	if p != nil {
		res := p.stop()
		b.rows = append(b.rows, row{What: "  longest wait for a write during that pass (" + b.lockWhat() + ")", Target: "≤ 0.2 s",
			Measured: res.String(), Seconds: res.Longest.Seconds(),
			Command: b.probeCommand(), OK: res.Failed == 0})
		b.logf("  write probe: %s", res)
	}
	return r
}

func (b *bench) probeCommand() string {
	if b.sqlite != "" {
		return "probe: BEGIN IMMEDIATE; INSERT INTO bench_probe …; COMMIT every 20 ms"
	}
	return "probe: BEGIN; INSERT INTO bench_probe …; COMMIT every 20 ms"
}

func (b *bench) lockWhat() string {
	if b.sqlite != "" {
		return "SQLite write lock"
	}
	return "PostgreSQL row insert"
}

// probe times tiny write transactions while something else runs.
type probe struct {
	bench  *bench
	db     *sql.DB
	cancel context.CancelFunc
	done   chan probeResult
}

type probeResult struct {
	Writes, Failed int
	Longest        time.Duration
	FirstError     string
}

func (r probeResult) String() string {
	s := fmt.Sprintf("longest %s over %d writes", seconds(r.Longest), r.Writes)
	if r.Failed > 0 {
		s += fmt.Sprintf(", %d failed (%s)", r.Failed, r.FirstError)
	}
	return s
}

func (b *bench) openDB() (*sql.DB, error) {
	if b.sqlite != "" {
		// As onramp opens it: WAL, and writers wait (here up to 10 min,
		// so the wait measures how long the lock was held).
		db, err := sql.Open("sqlite3", "file:"+b.sqlite+"?_busy_timeout=600000&_journal_mode=WAL&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		return db, nil
	}
	return sql.Open("pgx", b.dbURL)
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (the lock is taken).
func isBusy(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && e.Code == sqlite3.ErrBusy
}

func (b *bench) startProbe(ctx context.Context) (*probe, error) {
	db, err := b.openDB()
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_probe (n INTEGER NOT NULL, at TEXT NOT NULL)`); err != nil {
		db.Close()
		return nil, err
	}
	if b.sqlite != "" {
		// The probe's BEGIN does not wait in SQLite (probeWrite polls);
		// its INSERT and COMMIT, holding the lock, need not.
		db.Close()
		if db, err = sql.Open("sqlite3", "file:"+b.sqlite+"?_busy_timeout=0&_journal_mode=WAL&_txlock=immediate"); err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
	}
	pctx, cancel := context.WithCancel(ctx)
	p := &probe{bench: b, db: db, cancel: cancel, done: make(chan probeResult, 1)}
	go func() {
		var res probeResult
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-pctx.Done():
				p.done <- res
				return
			case <-tick.C:
			}
			start := time.Now()
			// Not bound to pctx: a write waiting for the lock when the
			// pass ends is finished and counted.
			err := probeWrite(db, n)
			d := time.Since(start)
			res.Writes++
			if d > res.Longest {
				res.Longest = d
			}
			if err != nil {
				res.Failed++
				if res.FirstError == "" {
					res.FirstError = err.Error()
				}
			}
		}
	}()
	return p, nil
}

// probePoll and probeWait are how a probe write waits for SQLite's write
// lock: trying BEGIN IMMEDIATE again every 2 ms for up to 10 minutes, as
// onramp's own transactions do (internal/db, writelock.go), so the wait is
// how long the lock stayed taken and not how long SQLite's busy handler
// slept (up to 100 ms between looks: a writer slept through the pass's
// pauses, which measured the handler rather than the pass).
const (
	probePoll = 2 * time.Millisecond
	probeWait = 10 * time.Minute
)

func probeWrite(db *sql.DB, n int) error {
	deadline := time.Now().Add(probeWait)
	tx, err := db.Begin()
	for err != nil && isBusy(err) && time.Now().Before(deadline) {
		time.Sleep(probePoll)
		tx, err = db.Begin()
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO bench_probe (n, at) VALUES ($1, $2)`, n, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (p *probe) stop() probeResult {
	p.cancel()
	res := <-p.done
	p.db.Close()
	// The scratch table goes through a connection that waits for the lock.
	if db, err := p.bench.openDB(); err == nil {
		db.Exec(`DROP TABLE IF EXISTS bench_probe`)
		db.Close()
	}
	return res
}

// sizeRow records the database's size on disk (SQLite: file and WAL).
func (b *bench) sizeRow(ctx context.Context, when string) {
	var measured string
	if b.sqlite != "" {
		var parts []string
		for _, s := range []string{"", "-wal"} {
			if fi, err := os.Stat(b.sqlite + s); err == nil {
				parts = append(parts, fmt.Sprintf("%s %s", filepath.Base(b.sqlite+s), mibOrKB(fi.Size())))
			}
		}
		measured = strings.Join(parts, ", ")
	} else {
		db, err := b.openDB()
		if err != nil {
			return
		}
		defer db.Close()
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
			return
		}
		measured = mibOrKB(n)
	}
	b.rows = append(b.rows, row{What: "database size " + when, Measured: measured, Command: "stat / pg_database_size", OK: true})
}

func mibOrKB(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	return mib(n)
}

// outboxRow counts the e-mails the first pass queued and their size.
func (b *bench) outboxRow(ctx context.Context) {
	db, err := b.openDB()
	if err != nil {
		return
	}
	defer db.Close()
	var n int64
	var size sql.NullInt64
	q := `SELECT COUNT(*), SUM(LENGTH(text_body) + LENGTH(html_body) + LENGTH(attachments)) FROM outbox`
	if err := db.QueryRowContext(ctx, q).Scan(&n, &size); err != nil {
		// The outbox's columns changed: count rows only.
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil {
			b.logf("outbox: %v", err)
			return
		}
	}
	measured := fmt.Sprintf("%d e-mails queued", n)
	if size.Valid {
		measured += ", bodies " + mibOrKB(size.Int64)
	}
	b.rows = append(b.rows, row{What: "  outbox after the imports and the first pass", Measured: measured, Command: "SELECT COUNT(*) FROM outbox", OK: true})
}

// freePort finds a free local TCP port for serve.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func (b *bench) printTable(w io.Writer) {
	fmt.Fprintf(w, "\n%d people × %d courses, %d past completions, on %s (%s; load average %s at the start, %s at the end)\n\n",
		b.m.People, len(b.m.Courses), b.m.Completions, b.dialect(), machine(), b.loadAt[0], b.loadAt[1])
	fmt.Fprintln(w, "| what | target | measured | peak RSS | command |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range b.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | `%s` |\n", cell(r.What), cell(r.Target), cell(r.Measured), mib(r.PeakRSS), strings.ReplaceAll(r.Command, "|", "\\|"))
	}
}

func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ") }

func machine() string {
	return fmt.Sprintf("%d cores, %s, %s/%s", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// loadAverage is the 1-minute load average (Linux), to judge how much else
// ran on the machine during the measurements.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
