package views

import "github.com/onramp-lms/onramp/web"

// asset is the content-hashed URL of a static file (see web.Asset), so
// pages may let browsers keep it for a year.
func asset(name string) string { return web.Asset(name) }
