package httpserver

import "rsc.io/qr"

// qrPNG draws text as a QR code (medium error correction) in PNG.
func qrPNG(text string) ([]byte, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, err
	}
	code.Scale = 8
	return code.PNG(), nil
}
