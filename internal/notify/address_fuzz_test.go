package notify

import (
	"net/mail"
	"strings"
	"testing"
)

// FuzzAddressHeader: for any display name, the address builder makes a
// header that parses back (net/mail) to the same name, cleaned of control
// characters, and the same address; and it never fails for a valid address.
// For any address it accepts, the same holds.
func FuzzAddressHeader(f *testing.F) {
	for _, seed := range []struct{ name, addr string }{
		{`x">`, "ana@hospital.example"},
		{`"Quoted" Name`, "ana@hospital.example"},
		{`Smith, John`, "john.smith@hospital.example"},
		{`back\slash`, "b@hospital.example"},
		{`Zoë Ünicode`, "zoe@hospital.example"},
		{`山田 太郎`, "yamada@hospital.example"},
		{`Иван Петров`, "ivan@hospital.example"},
		{"line\r\nBcc: evil@example.org", "a@hospital.example"},
		{"=?utf-8?q?encoded?=", "a@hospital.example"},
		{"\xff\xfe bad utf-8", "a@hospital.example"},
		{"", "a+tag@sub.hospital.example"},
		{"Name", `"quoted local"@hospital.example`},
		{"Name", "not an address"},
	} {
		f.Add(seed.name, seed.addr)
	}
	f.Fuzz(func(t *testing.T, name, addr string) {
		valid := false
		if p, err := mail.ParseAddress(addr); err == nil && p.Address == strings.TrimSpace(addr) {
			valid = true
		}
		a, err := mailAddress(Address{Name: name, Address: addr})
		if err != nil {
			if valid {
				t.Fatalf("mailAddress(%q, %q) refused a valid address: %v", name, addr, err)
			}
			return
		}
		header := a.String()
		if strings.ContainsAny(header, "\r\n") {
			t.Fatalf("header %q holds a line break", header)
		}
		back, err := mail.ParseAddress(header)
		if err != nil {
			t.Fatalf("header %q for (%q, %q) does not parse: %v", header, name, addr, err)
		}
		if back.Name != cleanName(name) || back.Address != a.Address {
			t.Fatalf("header %q reads as (%q, %q), want (%q, %q)", header, back.Name, back.Address, cleanName(name), a.Address)
		}
	})
}
