package learning

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // logos
	_ "image/png"  // logos
	"io"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/onramp-lms/onramp/internal/compliance"
)

// WriteCertificatePDF writes the certificate as a one-page A4 landscape PDF
// with the Go fonts embedded, so it prints the same everywhere. verifyURL is
// the public page where anyone can check the code.
func WriteCertificatePDF(w io.Writer, c *Certificate, verifyURL string) error {
	return WriteCertificatePDFFor(w, c, verifyURL, Org{})
}

// Org is the organisation a certificate is issued by: its name
// (ONRAMP_ORG_NAME) and logo file's bytes (ONRAMP_ORG_LOGO, PNG or JPEG);
// either may be empty.
type Org struct {
	Name string
	Logo []byte
}

// WriteCertificatePDFFor is WriteCertificatePDF headed by the
// organisation's name and logo instead of Onramp's.
func WriteCertificatePDFFor(w io.Writer, c *Certificate, verifyURL string, org Org) error {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4Landscape})
	pdf.SetInfo(gopdf.PdfInfo{
		Title: "Certificate of completion: " + c.CourseTitle, Author: "Onramp",
		Subject: c.EmployeeName, Creator: "Onramp", CreationDate: c.IssuedAt,
	})
	if err := pdf.AddTTFFontData("regular", goregular.TTF); err != nil {
		return fmt.Errorf("certificate PDF font: %w", err)
	}
	if err := pdf.AddTTFFontData("bold", gobold.TTF); err != nil {
		return fmt.Errorf("certificate PDF font: %w", err)
	}
	pdf.AddPage()
	const width, height = 842.0, 595.0

	// A double frame, as certificates have.
	pdf.SetStrokeColor(11, 92, 173)
	pdf.SetLineWidth(3)
	pdf.RectFromUpperLeftWithStyle(24, 24, width-48, height-48, "D")
	pdf.SetLineWidth(0.8)
	pdf.RectFromUpperLeftWithStyle(34, 34, width-68, height-68, "D")

	if len(org.Logo) > 0 {
		if err := drawLogo(pdf, org.Logo, width/2, 44, 32); err != nil {
			return fmt.Errorf("certificate PDF logo: %w", err)
		}
	}
	brand := "ONRAMP"
	if org.Name != "" {
		brand = org.Name
	}
	y := 80.0
	line := func(font string, size float64, r, g, b uint8, text string, gap float64) error {
		if err := pdf.SetFont(font, "", size); err != nil {
			return err
		}
		// Long names and titles shrink to fit the frame rather than run off it.
		for size > 9 {
			w, err := pdf.MeasureTextWidth(text)
			if err != nil || w <= width-110 {
				break
			}
			size--
			if err := pdf.SetFont(font, "", size); err != nil {
				return err
			}
		}
		pdf.SetTextColor(r, g, b)
		pdf.SetXY(48, y)
		if err := pdf.CellWithOption(&gopdf.Rect{W: width - 96, H: size * 1.3}, text, gopdf.CellOption{Align: gopdf.Center | gopdf.Middle}); err != nil {
			return err
		}
		y += size*1.3 + gap
		return nil
	}
	completed := "Completed " + compliance.FormatDay(c.CompletedAt)
	expiry := "Does not expire"
	if c.ExpiresAt != nil {
		expiry = "Valid until " + compliance.FormatDay(*c.ExpiresAt)
	}
	who := c.JobTitle
	if c.Department != "" {
		if who != "" {
			who += ", "
		}
		who += c.Department
	}
	lines := []struct {
		font       string
		size       float64
		r, g, b    uint8
		text       string
		gapPoints  float64
		skipIfNone bool
	}{
		{"bold", 14, 11, 92, 173, brand, 18, false},
		{"bold", 34, 27, 31, 36, "Certificate of completion", 26, false},
		{"regular", 14, 79, 88, 99, "This certifies that", 8, false},
		{"bold", 28, 27, 31, 36, c.EmployeeName, 4, false},
		{"regular", 13, 79, 88, 99, who, 16, who == ""},
		{"regular", 14, 79, 88, 99, "has completed the course", 8, false},
		{"bold", 22, 27, 31, 36, c.CourseTitle, 22, false},
		{"regular", 14, 27, 31, 36, completed + "  ·  " + expiry, 8, false},
	}
	for _, l := range lines {
		if l.skipIfNone {
			continue
		}
		if err := line(l.font, l.size, l.r, l.g, l.b, l.text, l.gapPoints); err != nil {
			return fmt.Errorf("certificate PDF: %w", err)
		}
	}
	if c.ScorePercent != nil && c.PassMark != nil {
		if err := line("regular", 12, 79, 88, 99, fmt.Sprintf("Final quiz score %d%% (pass mark %d%%)", *c.ScorePercent, *c.PassMark), 8); err != nil {
			return fmt.Errorf("certificate PDF: %w", err)
		}
	}
	y = height - 120
	if err := line("bold", 14, 27, 31, 36, "Verification code: "+FormatCode(c.Code), 4); err != nil {
		return fmt.Errorf("certificate PDF: %w", err)
	}
	if err := line("regular", 11, 79, 88, 99, "Check this certificate at "+verifyURL, 0); err != nil {
		return fmt.Errorf("certificate PDF: %w", err)
	}
	if err := pdf.Write(w); err != nil {
		return fmt.Errorf("write certificate PDF: %w", err)
	}
	return nil
}

// drawLogo draws a PNG or JPEG logo height points tall, centred on cx, its
// top at y, keeping its proportions.
func drawLogo(pdf *gopdf.GoPdf, logo []byte, cx, y, height float64) error {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(logo))
	if err != nil {
		return err
	}
	if cfg.Height == 0 {
		return fmt.Errorf("the logo has no height")
	}
	w := height * float64(cfg.Width) / float64(cfg.Height)
	if w > 300 {
		w, height = 300, 300*float64(cfg.Height)/float64(cfg.Width)
	}
	holder, err := gopdf.ImageHolderByBytes(logo)
	if err != nil {
		return err
	}
	return pdf.ImageByHolder(holder, cx-w/2, y, &gopdf.Rect{W: w, H: height})
}
