package httpserver

import (
	"net/url"
	"strings"
)

// safeNext returns target when it is a path on this site, and "/" otherwise,
// so a next= parameter can never send anyone to another site.
func safeNext(target string) string {
	if target == "" || !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") || strings.HasPrefix(target, "/\\") {
		return "/"
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.ContainsAny(target, "\r\n\t") {
		return "/"
	}
	return target
}
