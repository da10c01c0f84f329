package cli_test

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/cli"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeCannotListen: a port in use or an address that cannot be
// listened on stops `serve` with one line and exit 1, before the scheduler
// has run a single pass (which would send e-mail without serving HTTP).
func TestServeCannotListen(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	for _, tc := range []struct {
		name, addr, want string
	}{
		{"port in use", busy.Addr().String(), "address already in use"},
		{"invalid port", "127.0.0.1:99999", "invalid port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbPath := apptest.NewDatabaseURL(t)
			vars := map[string]string{
				"ONRAMP_DATABASE_URL":       dbPath,
				"ONRAMP_DATA_DIR":           filepath.Dir(dbPath),
				"ONRAMP_CONTENT_DIR":        filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic"),
				"ONRAMP_ADDR":               tc.addr,
				"ONRAMP_BASE_URL":           "https://onramp.example.org/",
				"ONRAMP_LOG_LEVEL":          "debug",
				"ONRAMP_SCHEDULER_INTERVAL": "1s",
			}
			var stdout, stderr syncBuffer
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan int, 1)
			go func() {
				done <- cli.Main(ctx, []string{"serve"}, cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return vars[k] }})
			}()
			var code int
			select {
			case code = <-done:
			case <-time.After(30 * time.Second):
				cancel()
				<-done
				t.Fatalf("serve did not exit although it cannot listen on %s; stderr:\n%s", tc.addr, stderr.String())
			}
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
				if strings.HasPrefix(l, "onramp: ") {
					lines = append(lines, l)
				}
			}
			if len(lines) != 1 || !strings.Contains(lines[0], "cannot listen on "+tc.addr) || !strings.Contains(lines[0], tc.want) {
				t.Errorf("want one line naming the address and %q; stderr:\n%s", tc.want, stderr.String())
			}
			if strings.Contains(stderr.String(), "scheduler pass") {
				t.Errorf("the scheduler ran although the server cannot listen; stderr:\n%s", stderr.String())
			}
			if strings.Contains(stdout.String(), "serving") {
				t.Errorf("stdout claims the server is serving:\n%s", stdout.String())
			}
		})
	}
}
