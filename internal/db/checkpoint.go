package db

import (
	"context"
	"database/sql"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// sqliteDriver is the database/sql driver Onramp opens SQLite with:
// mattn/go-sqlite3 with every new connection set by sqliteConnectHook.
const sqliteDriver = "onramp-sqlite3"

func init() {
	sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: sqliteConnectHook})
}

// A binary built with -tags sqlite_trace opens SQLite through traceDriver
// and calls traceReport when the database is closed (sqltrace.go).
var (
	traceDriver string
	traceReport func()
)

// sqliteConnectHook sets up each new SQLite connection. It turns off
// SQLite's automatic checkpoint: by default a connection that commits
// while the write-ahead log holds more than 1,000 pages copies the whole
// log into the database file before its commit returns. During a scheduler
// pass or an import the log holds up to a few seconds of their batches, so
// a learner's one-row write would pay for copying them (it waited over a
// second in the 100,000-people benchmark). The checkpointer (below) and
// BulkTx copy the log instead, beside the requests.
func sqliteConnectHook(c *sqlite3.SQLiteConn) error {
	_, err := c.Exec("PRAGMA wal_autocheckpoint=0", nil)
	return err
}

// checkpointEvery is how often the checkpointer copies the write-ahead log
// into the database file.
const checkpointEvery = time.Second

// checkpointer copies SQLite's write-ahead log into the database file every
// checkpointEvery, in the background, passively: it takes no write lock
// and never waits for readers or writers (what it cannot copy now, a later
// run copies). With nothing new in the log a run costs a look at the log's
// index. The log starts again from its beginning once a run has copied it
// all and a writer begins, so it stays as small as the writes of about a
// second.
type checkpointer struct {
	stop chan struct{}
	done sync.WaitGroup
	// mu keeps the process's checkpoints one at a time: BulkTx's own (run
	// between two batches, so that it copies the whole log and the next
	// batch starts the log again from its beginning) waits for the
	// checkpointer's instead of finding it busy and copying nothing.
	mu sync.Mutex
}

// checkpoint runs one passive checkpoint through exec, after any other of
// the process's.
func (c *checkpointer) checkpoint(ctx context.Context, exec func(ctx context.Context, query string, args ...any) (sql.Result, error)) {
	if c != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
	}
	_, _ = exec(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
}

func startCheckpointer(db *sql.DB, every time.Duration) *checkpointer {
	c := &checkpointer{stop: make(chan struct{})}
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-tick.C:
				c.checkpoint(context.Background(), db.ExecContext)
			}
		}
	}()
	return c
}

// close stops the checkpointer and waits for a run under way. (The last
// connection to close checkpoints the log itself.)
func (c *checkpointer) close() {
	if c == nil {
		return
	}
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.done.Wait()
}
