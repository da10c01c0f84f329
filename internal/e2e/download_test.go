package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// download presses a link that downloads a file, lets the browser save it
// as a person's browser would, and returns the name the site suggested and
// the file's bytes.
func (tb *tab) download(sel string) (name string, body []byte) {
	tb.t.Helper()
	dir := tb.t.TempDir()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior:         cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName,
		BrowserContextID: chromedp.FromContext(tb.ctx).BrowserContextID,
		DownloadPath:     dir,
		EventsEnabled:    new(true),
	})
	if err != nil {
		tb.fatalf("allow downloads: %v", err)
	}
	// Subscribe before pressing, so no event is missed. The events are the
	// whole browser's: other tests' downloads come from other sites.
	begins := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadProgress)
	tb.press(sel)
	var guid string
	for ev, err := range begins {
		if err != nil {
			tb.fatalf("no download began after pressing %s: %v", sel, err)
		}
		if strings.HasPrefix(ev.URL, tb.base+"/") {
			guid, name = ev.GUID, ev.SuggestedFilename
			break
		}
	}
	for ev, err := range progress {
		if err != nil {
			tb.fatalf("the download of %s did not finish: %v", name, err)
		}
		if ev.GUID != guid {
			continue
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			tb.fatalf("the browser cancelled the download of %s", name)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			break
		}
	}
	// allowAndName saves the file under its GUID.
	body, err = os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		tb.fatalf("read the downloaded %s: %v", name, err)
	}
	return name, body
}
