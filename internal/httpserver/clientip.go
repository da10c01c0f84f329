package httpserver

import (
	"net"

	"github.com/labstack/echo/v4"
)

// clientIP decides where c.RealIP() comes from: the direct peer, or, behind
// the configured reverse proxies, the nearest X-Forwarded-For entry that is
// not one of them. Only the listed ranges are trusted; Echo's defaults
// (every loopback, link-local and private address) are turned off, because
// staff on a hospital's private network would otherwise be trusted to name
// their own IP and walk around the sign-in throttle.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
