package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// Static files are served under content-hashed names, so a page names the
// exact bytes it was built with and browsers may keep them for a year: a
// deploy that changes a file changes its name. Asset gives a page the
// hashed URL of a file; Lookup tells the server which file a URL names.

// StaticPrefix is where the files are served.
const StaticPrefix = "/static/"

// hashLen is how many hex digits of the SHA-256 a name carries.
const hashLen = 10

type assetTable struct {
	hashed map[string]string // file name → hashed name
	hash   map[string]string // file name → its hash
}

var (
	assetsOnce sync.Once
	assets     assetTable
)

// table hashes every embedded static file, once, at the first use (start-up
// renders no page before the server is built, and the files never change
// while the process runs).
func table() *assetTable {
	assetsOnce.Do(func() {
		assets = assetTable{hashed: map[string]string{}, hash: map[string]string{}}
		root, err := fs.Sub(Static, "static")
		if err != nil {
			panic(err) // the embed pattern guarantees the directory
		}
		err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(root, name)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			h := hex.EncodeToString(sum[:])[:hashLen]
			assets.hash[name] = h
			assets.hashed[name] = withHash(name, h)
			return nil
		})
		if err != nil {
			panic(err) // reading the embedded files cannot fail
		}
	})
	return &assets
}

// withHash puts h before the file's extension: css/app.css → css/app.h.css.
func withHash(name, h string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + h + ext
}

// Asset returns the URL of the static file name (relative to static/, such
// as "css/app.css") under its content-hashed name. A name that is not a
// static file keeps its plain URL, which answers 404.
func Asset(name string) string {
	if h, ok := table().hashed[name]; ok {
		return StaticPrefix + h
	}
	return StaticPrefix + name
}

// Lookup reads a path under /static/ (without the prefix) and returns the
// file it names and the file's present hash. current is true when the path carries the file's present
// hash, so the response may be cached for good; a plain name, or a hash
// from an earlier build, names the file as it is now, to be cached briefly.
// ok is false when no static file has that name.
func Lookup(p string) (file, hash string, current, ok bool) {
	t := table()
	if h, ok := t.hash[p]; ok {
		return p, h, false, true
	}
	ext := path.Ext(p)
	stem := strings.TrimSuffix(p, ext)
	dot := strings.LastIndexByte(stem, '.')
	if dot < 0 || len(stem)-dot-1 != hashLen || !isHex(stem[dot+1:]) {
		return "", "", false, false
	}
	file = stem[:dot] + ext
	h, ok := t.hash[file]
	if !ok {
		return "", "", false, false
	}
	return file, h, h == stem[dot+1:], true
}

func isHex(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
