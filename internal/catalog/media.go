package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/onramp-lms/onramp/internal/apperr"
)

// MediaPath reports whether p, a path relative to the course directory (e.g.
// "media/orientation.mp4"), is a file that a step or resource of this course
// uses, and returns its path inside the catalog's file system. The HTTP layer
// serves only such files, so nothing else in the content tree is reachable.
func (c *Course) MediaPath(p string) (string, bool) {
	if c == nil || !c.media[p] {
		return "", false
	}
	return path.Join(c.Dir, p), true
}

// ErrNoMedia: the course does not exist, does not use the file, or the file
// is missing from the content tree.
var ErrNoMedia = apperr.New(apperr.NotFound, "There is nothing at this address. Check the link, or go back to your training.")

// OpenMedia opens the file p (as for MediaPath) of the course with the given
// ID, for serving; a course or file that is not there gives ErrNoMedia.
func (c *Catalog) OpenMedia(courseID, p string) (fs.File, error) {
	fsPath, ok := c.Course(courseID).MediaPath(p)
	if !ok {
		return nil, ErrNoMedia
	}
	f, err := c.fsys.Open(fsPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoMedia.Wrap(err)
	}
	if err != nil {
		return nil, fmt.Errorf("open media %s: %w", fsPath, err)
	}
	return f, nil
}

var (
	langPattern = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	cueTiming   = regexp.MustCompile(`-->\s*(?:(\d+):)?(\d{1,2}):(\d{2})\.(\d{3})`)
)

// parseVideo reads a video step's fields and checks its files.
func (cl *courseLoader) parseVideo(mf *moduleFile, m *ymap, st *Step, what string) {
	file := mf.file
	v := &Video{
		Src:          m.str("src", what),
		Captions:     m.str("captions", what),
		CaptionsLang: m.str("captions_lang", what),
		Poster:       m.str("poster", what),
	}
	st.Video = v
	use := func(p string) {
		mf.media = append(mf.media, p)
		cl.course.media[p] = true
	}

	switch {
	case v.Src == "":
		cl.add(file, m.node.Line, "video %s has no src: add `src:` with the path of its MP4 file", what)
	case !strings.EqualFold(path.Ext(v.Src), ".mp4"):
		cl.add(file, m.line("src"), "video %s: src `%s` must be an MP4 (.mp4) file with H.264 video and AAC audio", what, v.Src)
	case cl.checkRef(file, m.line("src"), "video", v.Src):
		use(v.Src)
		d, err := cl.videoDuration(v.Src)
		if err != nil {
			cl.add(file, m.line("src"), "video %s: cannot read the duration of `%s`: %v", what, v.Src, err)
		}
		v.DurationSeconds = d
	}

	if v.CaptionsLang == "" {
		v.CaptionsLang = "en"
	} else if !langPattern.MatchString(v.CaptionsLang) {
		cl.add(file, m.line("captions_lang"), "video %s: captions_lang `%s` is not a language tag like en or fr-CA", what, v.CaptionsLang)
	}
	switch {
	case v.Captions == "":
		cl.add(file, m.node.Line, "video %s has no captions: add `captions:` with a WebVTT (.vtt) file; captions are required", what)
	case cl.checkRef(file, m.line("captions"), "captions", v.Captions):
		use(v.Captions)
		cl.checkCaptions(file, m.line("captions"), what, v)
	}

	transcript := m.str("transcript", what)
	switch {
	case transcript == "":
		cl.add(file, m.node.Line, "video %s has no transcript: add `transcript:` with a text or Markdown file of what is said and shown", what)
	case cl.checkRef(file, m.line("transcript"), "transcript", transcript):
		use(transcript)
		v.TranscriptFile = transcript
		b, _ := cl.readText(cl.fsPath(transcript))
		v.Transcript = string(b)
		if strings.TrimSpace(v.Transcript) == "" {
			cl.add(file, m.line("transcript"), "video %s: transcript `%s` is empty", what, transcript)
		}
	}

	if v.Poster != "" && cl.checkRef(file, m.line("poster"), "poster", v.Poster) {
		use(v.Poster)
	}
}

// checkCaptions checks that the captions are WebVTT and do not run past the
// end of the video.
func (cl *courseLoader) checkCaptions(file string, line int, what string, v *Video) {
	b, err := cl.readText(cl.fsPath(v.Captions))
	if err != nil {
		cl.add(file, line, "captions `%s` cannot be read: %v", v.Captions, err)
		return
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	if !bytes.HasPrefix(b, []byte("WEBVTT")) || len(b) > 6 && !strings.ContainsRune(" \t\r\n", rune(b[6])) {
		cl.add(file, line, "video %s: captions `%s` are not WebVTT: the file must start with the line `WEBVTT` (convert .srt files with a subtitle editor or ffmpeg)", what, v.Captions)
		return
	}
	var last float64
	for _, m := range cueTiming.FindAllSubmatch(b, -1) {
		h, _ := strconv.Atoi(string(m[1]))
		mi, _ := strconv.Atoi(string(m[2]))
		s, _ := strconv.Atoi(string(m[3]))
		ms, _ := strconv.Atoi(string(m[4]))
		last = max(last, float64(h*3600+mi*60+s)+float64(ms)/1000)
	}
	if last == 0 {
		cl.add(file, line, "video %s: captions `%s` have no cues (lines like `00:00:00.000 --> 00:00:04.000`)", what, v.Captions)
		return
	}
	if v.DurationSeconds > 0 && last > v.DurationSeconds+1 {
		cl.add(file, line, "video %s: captions `%s` run to %s but the video is only %s long: were they made for another cut?", what, v.Captions, clockTime(last), clockTime(v.DurationSeconds))
	}
}

func clockTime(sec float64) string {
	s := int(sec + 0.5)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// videoDuration reads an MP4's duration, once per file.
func (cl *courseLoader) videoDuration(p string) (float64, error) {
	if d, ok := cl.durations[p]; ok {
		return d, nil
	}
	f, err := cl.fsys.Open(cl.fsPath(p))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	d, err := fileDuration(f)
	if err != nil {
		return 0, err
	}
	cl.durations[p] = d
	return d, nil
}

// fileDuration reads the duration of an open MP4 file, without reading the
// whole file when it can seek.
func fileDuration(f fs.File) (float64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if ra, ok := f.(io.ReaderAt); ok {
		return mp4Duration(ra, st.Size())
	}
	if rs, ok := f.(io.ReadSeeker); ok {
		return mp4Duration(&seekReaderAt{rs: rs}, st.Size())
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return 0, err
	}
	return mp4Duration(bytes.NewReader(b), int64(len(b)))
}

// seekReaderAt reads at an offset with Seek and Read, for files that cannot
// ReadAt.
type seekReaderAt struct{ rs io.ReadSeeker }

func (s *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := s.rs.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(s.rs, p)
}
