package httpserver

import (
	"net"
	"net/http/httptest"
	"testing"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	_, proxy, _ := net.ParseCIDR("10.0.0.5/32")
	cases := []struct {
		name    string
		trusted []*net.IPNet
		peer    string
		xff     string
		want    string
	}{
		{"no proxies configured: the peer, whatever the header says", nil, "10.0.0.5:1234", "203.0.113.9", "10.0.0.5"},
		{"through the trusted proxy", []*net.IPNet{proxy}, "10.0.0.5:1234", "203.0.113.9", "203.0.113.9"},
		{"a client on the private network is not a proxy", []*net.IPNet{proxy}, "10.0.0.5:1234", "1.2.3.4, 10.1.2.3", "10.1.2.3"},
		{"a direct client cannot name its own IP", []*net.IPNet{proxy}, "192.168.1.20:5555", "203.0.113.9", "192.168.1.20"},
		{"no header through the proxy", []*net.IPNet{proxy}, "10.0.0.5:1234", "", "10.0.0.5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := clientIP(tc.trusted)(r); got != tc.want {
				t.Fatalf("client IP %s, want %s", got, tc.want)
			}
		})
	}
}
