package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Settings read from the environment.
const (
	// requireEnv set to 1 makes a missing browser or axe-core a failure
	// rather than a reason to skip (CI sets it).
	requireEnv = "ONRAMP_E2E"
	// chromiumEnv names the browser binary when it is not on PATH as
	// chromium, chromium-browser, google-chrome or google-chrome-stable.
	chromiumEnv = "ONRAMP_CHROMIUM"
	// artifactsEnv is where failing steps leave screenshots and HTML.
	artifactsEnv = "ONRAMP_E2E_ARTIFACTS"
)

// required reports whether the environment asks for the browser tests to
// run, so that a missing browser fails them instead of skipping them.
func required() bool { return os.Getenv(requireEnv) == "1" }

// browser is the one Chromium all the tests share; each test opens its own
// tabs in a browser context of its own (separate cookies and storage).
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

// sharedBrowser returns the chromedp context of the running browser,
// starting it on first use. Without a browser the test is skipped, or fails
// when ONRAMP_E2E=1.
func sharedBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() && !required() {
		t.Skip("browser tests do not run with -short")
	}
	browser.once.Do(startBrowser)
	if browser.err != nil {
		if required() {
			t.Fatalf("%s=1 but the browser tests cannot run: %v", requireEnv, browser.err)
		}
		t.Skipf("browser tests skipped: %v (set %s=1 to make this a failure)", browser.err, requireEnv)
	}
	return browser.ctx
}

// chromiumPath finds the browser: $ONRAMP_CHROMIUM, or a usual name on PATH.
func chromiumPath() (string, error) {
	if p := os.Getenv(chromiumEnv); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", chromiumEnv, p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("Chromium is not installed (apt-get install chromium, or set " + chromiumEnv + " to a Chrome or Chromium binary)")
}

func startBrowser() {
	path, err := chromiumPath()
	if err != nil {
		browser.err = err
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		// chromedp gives the browser a fresh user-data-dir in a temporary
		// directory and removes it when the browser stops.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		// The tests press play from the DevTools protocol, not with a click
		// on the player's own controls.
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.WindowSize(1280, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	browser.cancel = func() { cancelBrowser(); cancelAlloc() }
	// The first run starts the browser and binds it to ctx, which has no
	// deadline; the start itself gets one through a watchdog.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(60 * time.Second):
		err = errors.New("the browser did not start within 60 s")
	}
	if err != nil {
		browser.err = fmt.Errorf("start %s: %w", path, err)
		return
	}
	browser.ctx = ctx
}
