package httpserver

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/web/views"
)

// mediaTypes are the content types of the files courses use; the rest fall
// back to the system's table.
var mediaTypes = map[string]string{
	".mp4":  "video/mp4",
	".m4v":  "video/mp4",
	".webm": "video/webm",
	".vtt":  "text/vtt; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
	".md":   "text/plain; charset=utf-8",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".webp": "image/webp",
	".svg":  "image/svg+xml",
	".pdf":  "application/pdf",
}

// learnerMedia serves a file a course uses (video, captions, poster, PDF),
// with range requests so video can seek. Only files the catalog says the
// course uses are reachable.
func (s *Server) learnerMedia(c echo.Context) error {
	p, err := url.PathUnescape(c.Param("*"))
	if err != nil {
		return errNoPage
	}
	f, err := s.Catalog.OpenMedia(c.Param("course"), p)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	content, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		content = bytes.NewReader(b)
	}
	ext := strings.ToLower(path.Ext(p))
	ctype := mediaTypes[ext]
	if ctype == "" {
		ctype = mime.TypeByExtension(ext)
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h := c.Response().Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "private, max-age=3600")
	if ext == ".pdf" {
		h.Set("Content-Disposition", "inline; filename=\""+path.Base(p)+"\"")
	}
	http.ServeContent(c.Response(), c.Request(), path.Base(p), info.ModTime(), content)
	return nil
}

// learnerResource shows a course document as a printable page.
func (s *Server) learnerResource(c echo.Context) error {
	course := s.Catalog.Course(c.Param("course"))
	if course == nil {
		return errNoPage
	}
	for _, r := range course.Resources {
		if r.ID != c.Param("id") {
			continue
		}
		v := views.ResourceView{CourseTitle: course.Title, CourseURL: courseURL(course.ID), Title: r.Title, HTML: r.HTML,
			OwnHeading: strings.Contains(string(r.HTML), "<h1")}
		if _, ok := course.MediaPath(r.PDF); r.PDF != "" && ok {
			v.PDFURL = mediaURL(course.ID, r.PDF)
		}
		return render(c, http.StatusOK, views.LearnerResource(s.page(c, r.Title, "learn"), v))
	}
	return errNoPage
}
