// Package e2e holds Onramp's browser tests: the journeys of a new hire, a
// member of staff taking the refresher, a manager and HR, walked in a real
// Chromium driven by chromedp, at a desktop and at a 375-pixel phone
// viewport, with axe-core checking every page they visit for WCAG 2.2 AA
// problems, and one module completed with the keyboard alone.
//
// The package has only tests. They skip when Chromium is not installed
// (set ONRAMP_E2E=1 to make that a failure, as CI does) and check
// accessibility only when axe-core is installed with
// `npm ci --prefix internal/e2e/axe`. A failing step leaves a screenshot and
// the page's HTML in $ONRAMP_E2E_ARTIFACTS (default: artifacts/e2e at the
// repository root).
package e2e
