package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/cdproto/runtime"
)

func TestProbe(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/media/", http.StripPrefix("/media/", http.FileServer(http.Dir("../catalog/testdata/basic/media"))))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<!doctype html><html><body><video id=v src="/media/intro.mp4" muted preload=auto controls></video></body></html>`))
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.DisableGPU, chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL)); err != nil {
		t.Fatal(err)
	}
	t.Log("started", time.Since(start))
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[navigator.userAgent, document.createElement('video').canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"'), document.createElement('video').canPlayType('video/webm; codecs="vp9, opus"')].join(" | ")`))
	t.Log(s, err)
	time.Sleep(time.Second)
	r, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => { const v = document.getElementById('v'); v.playbackRate = 2; try { await v.play(); } catch (e) { return 'play error: ' + e; } await new Promise(r => setTimeout(r, 3000)); return 'ct=' + v.currentTime + ' dur=' + v.duration + ' err=' + (v.error && v.error.message) + ' rs=' + v.readyState; })()`, func(p *runtime.EvaluateParams) { p.AwaitPromise = true }))
	t.Log(r, err)
}
