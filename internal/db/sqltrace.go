//go:build sqlite_trace

// A developer's tool, not part of a normal build: built with
// -tags sqlite_trace, the binary times every SQLite statement (SQLite's own
// profile callback, per statement run) and, when its database is closed,
// writes the time and count per statement text to the file named by
// ONRAMP_SQLTRACE, slowest first. Multi-row VALUES lists and IN lists are
// folded, so one statement shape is one line. docs/performance.md shows how
// it is used.

package db

import (
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

var sqlTrace = struct {
	sync.Mutex
	text  map[uintptr]string // statement handle → its folded text
	total map[string]time.Duration
	count map[string]int
}{text: map[uintptr]string{}, total: map[string]time.Duration{}, count: map[string]int{}}

// foldLists turns "(?, ?), (?, ?)" and "?,?,?" into "…".
var foldLists = regexp.MustCompile(`\((\?, )*\?\)(, \((\?, )*\?\))*|\?(, ?\?)+`)

func init() {
	const name = "onramp-sqlite3-trace"
	sql.Register(name, &timeDriver{inner: &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if err := registerTimeFuncs(c); err != nil {
			return err
		}
		return c.SetTrace(&sqlite3.TraceConfig{EventMask: sqlite3.TraceStmt | sqlite3.TraceProfile, Callback: traceStatement})
	}}})
	traceDriver = name
	traceReport = writeSQLTrace
}

func traceStatement(ti sqlite3.TraceInfo) int {
	t := &sqlTrace
	t.Lock()
	defer t.Unlock()
	switch ti.EventCode {
	case sqlite3.TraceStmt:
		if strings.HasPrefix(ti.StmtOrTrigger, "--") {
			return 0 // a trigger's statement: counted in the one that fired it
		}
		s := ti.StmtOrTrigger
		if len(s) > 2000 {
			s = s[:2000]
		}
		s = strings.Join(strings.Fields(foldLists.ReplaceAllString(s, "…")), " ")
		if len(s) > 200 {
			s = s[:200]
		}
		t.text[ti.StmtHandle] = s
	case sqlite3.TraceProfile:
		s := t.text[ti.StmtHandle]
		t.total[s] += time.Duration(ti.RunTimeNanosec)
		t.count[s]++
	}
	return 0
}

func writeSQLTrace() {
	path := os.Getenv("ONRAMP_SQLTRACE")
	if path == "" {
		return
	}
	t := &sqlTrace
	t.Lock()
	defer t.Unlock()
	var texts []string
	var sum time.Duration
	for s, d := range t.total {
		texts = append(texts, s)
		sum += d
	}
	sort.Slice(texts, func(i, j int) bool { return t.total[texts[i]] > t.total[texts[j]] })
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ONRAMP_SQLTRACE:", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%.2fs in SQLite statements\n   seconds     runs  statement\n", sum.Seconds())
	for _, s := range texts {
		fmt.Fprintf(f, "%10.2f %8d  %s\n", t.total[s].Seconds(), t.count[s], s)
	}
}
