package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base := os.Args[1]
	email := os.Args[2]
	width := 1200
	if len(os.Args) > 4 && os.Args[4] == "phone" {
		width = 375
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(width, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(`#email`, email),
		chromedp.SendKeys(`#password`, "onramp-demo"),
		chromedp.Submit(`#password`),
		chromedp.Sleep(time.Second),
	)
	if err != nil {
		fmt.Println("login:", err)
		os.Exit(1)
	}
	for i, path := range os.Args[3:4] {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.Sleep(500*time.Millisecond)); err != nil {
			fmt.Println(path, err)
			continue
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			fmt.Println(path, err)
			continue
		}
		name := fmt.Sprintf("/tmp/shot-%d.png", i)
		os.WriteFile(name, buf, 0o644)
		fmt.Println("wrote", name)
	}
}
