package httpserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/report"
)

// adminReportDownload streams a report to HR.
func (s *Server) adminReportDownload(c echo.Context) error {
	return s.downloadReport(c, false)
}

// teamReportDownload streams a report limited to the viewer's team.
func (s *Server) teamReportDownload(c echo.Context) error {
	return s.downloadReport(c, true)
}

// reportFile splits NAME.FORMAT (or NAME with ?format=FORMAT) into the
// report and its format; CSV when neither says.
func reportFile(c echo.Context) (*report.Report, report.Format, error) {
	file := c.Param("file")
	name, ext, dotted := strings.Cut(file, ".")
	formatName := c.QueryParam("format")
	if dotted {
		if formatName != "" && formatName != ext {
			return nil, "", apperr.New(apperr.Malformed, "The address names two formats; give one.")
		}
		formatName = ext
	}
	if formatName == "" {
		formatName = string(report.CSV)
	}
	rep, ok := report.Lookup(name)
	if !ok {
		return nil, "", apperr.New(apperr.NotFound, "There is no report by that name.")
	}
	format, err := report.ParseFormat(formatName)
	if err != nil {
		return nil, "", apperr.New(apperr.NotFound, "Reports download as CSV, XLSX or JSON.")
	}
	return rep, format, nil
}

// downloadReport streams a report as a file. Rows go out as the database
// returns them (see report.Write), so a report of any size starts at once
// (CSV, JSON) and memory stays bounded. The download is recorded in the
// audit trail first, with who asked for which report and which filters: the
// row count is not known until the end, so it goes to the log.
func (s *Server) downloadReport(c echo.Context, team bool) error {
	ctx := c.Request().Context()
	viewer := viewerOf(c).Employee
	rep, format, err := reportFile(c)
	if err != nil {
		return err
	}
	f, err := parseReportFilter(c)
	if err != nil {
		return err
	}
	scope := "organisation"
	if team {
		if err := s.scopeToTeam(ctx, viewer, &f); err != nil {
			return err
		}
		scope = "team"
	}
	now := s.Clock.Now()
	rows, err := s.Reports.Open(ctx, rep, f, now, 0)
	if err != nil {
		return err
	}
	defer rows.Close()
	filters := f.Map()
	summary := fmt.Sprintf("Downloaded the %s report (%s)", strings.ToLower(rep.Title), strings.ToUpper(string(format)))
	if team {
		summary += " of their team"
	}
	if len(filters) > 0 {
		summary += ", filtered by " + f.Describe()
	}
	err = s.Audit.Record(ctx, audit.Event{
		At: now, ActorID: viewer.ID, ActorName: viewer.FullName(), Action: audit.ActionExport,
		EntityType: "report", EntityID: rep.Name, Summary: summary + ".",
		Details: map[string]any{"report": rep.Name, "format": format, "scope": scope, "filters": filters},
	})
	if err != nil {
		return err
	}
	res := c.Response()
	h := res.Header()
	header := func() {
		h.Set(echo.HeaderContentType, format.ContentType())
		h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, report.FileName(rep.Name, format, now)))
		h.Set("Cache-Control", "no-store")
		res.WriteHeader(http.StatusOK)
	}
	if format == report.XLSX {
		// A workbook cannot start before its last row is read; reading
		// them all first means a failure is still an error page, never a
		// 200 with an empty body. Past report.MaxSheetRows rows it goes on
		// to further sheets.
		wb, err := report.BuildXLSX(rows)
		if err != nil {
			s.Log.Error("report download failed", "report", rep.Name, "format", string(format), "error", err.Error())
			return &apperr.Error{Code: apperr.Internal, Message: "The workbook could not be built. Try again, filter the report, or download it as CSV.", Err: err}
		}
		defer wb.Close()
		header()
		if _, err := wb.WriteTo(res); err != nil {
			s.Log.Error("report download failed", "report", rep.Name, "format", string(format), "rows", wb.Rows, "error", err.Error())
			abortResponse(res)
			return nil
		}
		s.Log.Info("report downloaded", "report", rep.Name, "format", string(format), "rows", wb.Rows, "sheets", wb.Sheets, "scope", scope)
		return nil
	}
	header()
	n, err := report.Write(res, format, rows)
	if err != nil {
		// The status is sent; cutting the connection makes the client see
		// a failed download rather than a short file that looks whole.
		s.Log.Error("report download failed", "report", rep.Name, "format", string(format), "rows", n, "error", err.Error())
		abortResponse(res)
		return nil
	}
	s.Log.Info("report downloaded", "report", rep.Name, "format", string(format), "rows", n, "scope", scope)
	return nil
}

// abortResponse closes the connection under a response that is half sent.
func abortResponse(res *echo.Response) {
	if conn, _, err := http.NewResponseController(res.Writer).Hijack(); err == nil {
		_ = conn.Close()
	}
}
