package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
)

// The version hashes. A module's hash covers its file's bytes and, for each
// bank and media file it uses (in the order the module uses them), the
// file's path and the SHA-256 of its bytes: any byte changed in any of them
// is a new version, and a large video is streamed through the hash once,
// however many modules show it. A course's hash covers course.yaml, every
// module's ID and hash (full path, then refresher-only modules), the nudges
// file and the resources' files.

// version computes the hashes of the course and its modules. extra are
// further course files (those the resources link to).
func (cl *courseLoader) version(extra []string) {
	for _, mf := range cl.moduleFiles {
		if mf.broken {
			continue
		}
		h := sha256.New()
		h.Write(cl.texts[mf.file])
		var src strings.Builder
		src.WriteString(mf.module.Source)
		seen := map[string]bool{}
		for _, b := range mf.banks {
			if seen[b] {
				continue
			}
			seen[b] = true
			cl.hashFile(h, "bank", b)
			src.WriteString("\n\n# ---- " + strings.TrimPrefix(b, cl.dir+"/") + " ----\n")
			src.Write(cl.texts[b])
		}
		for _, p := range mf.media {
			if seen[cl.fsPath(p)] {
				continue
			}
			seen[cl.fsPath(p)] = true
			cl.hashFile(h, "media", cl.fsPath(p))
		}
		mf.module.Source = src.String()
		mf.module.Hash = hex.EncodeToString(h.Sum(nil))
	}

	c := cl.course
	h := sha256.New()
	h.Write([]byte(c.Source))
	for _, m := range c.AllModules() {
		io.WriteString(h, "\x00module\x00"+m.ID+"\x00"+m.Hash)
	}
	var files []string
	for _, n := range []string{cl.nudgesFile} {
		if n != "" {
			files = append(files, n)
		}
	}
	for _, r := range c.Resources {
		for _, p := range []string{r.File, r.PDF} {
			if p != "" && c.media[p] {
				files = append(files, cl.fsPath(p))
			}
		}
	}
	for _, p := range extra {
		files = append(files, cl.fsPath(p))
	}
	seen := map[string]bool{}
	for _, f := range files {
		if !seen[f] {
			seen[f] = true
			cl.hashFile(h, "file", f)
		}
	}
	c.Hash = hex.EncodeToString(h.Sum(nil))
}

// hashFile writes a file's kind, path (inside the course) and SHA-256 into h.
func (cl *courseLoader) hashFile(h io.Writer, kind, fsPath string) {
	d, ok := cl.digests[fsPath]
	if !ok {
		f, err := cl.fsys.Open(fsPath)
		if err != nil {
			cl.add(fsPath, 0, "cannot read: %v", err)
			return
		}
		fh := sha256.New()
		_, err = io.Copy(fh, f)
		f.Close()
		if err != nil {
			cl.add(fsPath, 0, "cannot read: %v", err)
			return
		}
		d = hex.EncodeToString(fh.Sum(nil))
		cl.digests[fsPath] = d
	}
	rel := strings.TrimPrefix(fsPath, cl.dir+"/")
	io.WriteString(h, "\x00"+kind+"\x00"+rel+"\x00"+d)
}

// AllModules returns every module of the course once: the full path, then
// the refresher path's modules not on it.
func (c *Course) AllModules() []*Module {
	out := append([]*Module(nil), c.Modules...)
	seen := map[*Module]bool{}
	for _, m := range out {
		seen[m] = true
	}
	for _, m := range c.RefresherModules {
		if !seen[m] {
			out = append(out, m)
			seen[m] = true
		}
	}
	return out
}
