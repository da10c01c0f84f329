package ssotest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// The ID token hooks: the token endpoint answers as usual, then the
// ID token in its answer is changed, as a forger or a broken provider
// would send it.

// ChangeIDToken re-signs the ID token, with the provider's own key, after
// f changed its claims: a genuine token that says something else (a "nbf"
// in the future).
func (p *IdP) ChangeIDToken(f func(claims map[string]any)) {
	p.set(func() {
		p.idTokenHook = func(raw string) string {
			header, claims := decodeJWT(raw)
			f(claims)
			key, err := p.Storage.SigningKey(context.Background())
			if err != nil {
				panic(err)
			}
			return signJWT(header, claims, key.Key().(*rsa.PrivateKey))
		}
	})
}

// IDTokenSignedWithOtherKey signs the ID token with a key that is not the
// provider's, under the provider's key ID.
func (p *IdP) IDTokenSignedWithOtherKey() {
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	p.set(func() {
		p.idTokenHook = func(raw string) string {
			header, claims := decodeJWT(raw)
			return signJWT(header, claims, other)
		}
	})
}

// IDTokenUnsigned sends the ID token with "alg": "none" and no signature.
func (p *IdP) IDTokenUnsigned() {
	p.set(func() {
		p.idTokenHook = func(raw string) string {
			header, claims := decodeJWT(raw)
			header["alg"] = "none"
			return segment(header) + "." + segment(claims) + "."
		}
	})
}

// IDTokenChangedAfterSigning changes the ID token's subject and keeps the
// provider's signature of the original.
func (p *IdP) IDTokenChangedAfterSigning(subject string) {
	p.set(func() {
		p.idTokenHook = func(raw string) string {
			parts := strings.Split(raw, ".")
			_, claims := decodeJWT(raw)
			claims["sub"] = subject
			return parts[0] + "." + segment(claims) + "." + parts[2]
		}
	})
}

// rewriteIDToken serves the token request and passes the answer's
// id_token through hook.
func rewriteIDToken(w http.ResponseWriter, r *http.Request, next http.Handler, hook func(string) string) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	var answer map[string]any
	if rec.Code == http.StatusOK && json.Unmarshal(body, &answer) == nil {
		if raw, ok := answer["id_token"].(string); ok {
			answer["id_token"] = hook(raw)
			body, _ = json.Marshal(answer)
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

func decodeJWT(raw string) (header, claims map[string]any) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		panic("ssotest: an ID token that is not a JWS: " + raw)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			panic(err)
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(dst); err != nil {
			panic(err)
		}
	}
	return header, claims
}

func segment(v map[string]any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// signJWT signs with RS256, the provider's algorithm.
func signJWT(header, claims map[string]any, key *rsa.PrivateKey) string {
	header["alg"] = "RS256"
	input := segment(header) + "." + segment(claims)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}
