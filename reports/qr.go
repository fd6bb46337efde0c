package reports

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"rsc.io/qr"
)

// qrCode is a QR code drawn as one SVG path, made offline from the survey
// link so the printed poster invites the next evaluation.
type qrCode struct {
	// Size is the side of the symbol in modules, quiet zone included.
	Size int
	// Path is the SVG path of the dark modules (digits and M h v z only).
	Path string
	// URL is the encoded link, printed under the code.
	URL string
}

// qrQuiet is the quiet zone around the symbol, in modules (the standard's 4).
const qrQuiet = 4

// newQR encodes link as a QR code. Only http and https links are encoded:
// anything else (a javascript: URL, a bare word) gets no code.
func newQR(link string) (*qrCode, error) {
	link = strings.TrimSpace(link)
	if link == "" {
		return nil, fmt.Errorf("no survey link")
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("survey link %q is not an http(s) URL", link)
	}
	c, err := qr.Encode(link, qr.M)
	if err != nil {
		return nil, fmt.Errorf("QR code of %q: %w", link, err)
	}
	var b strings.Builder
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if !c.Black(x, y) {
				continue
			}
			// Merge runs of dark modules on a row into one rectangle.
			run := 1
			for x+run < c.Size && c.Black(x+run, y) {
				run++
			}
			b.WriteString("M" + strconv.Itoa(x+qrQuiet) + " " + strconv.Itoa(y+qrQuiet) + "h" + strconv.Itoa(run) + "v1h-" + strconv.Itoa(run) + "z")
			x += run - 1
		}
	}
	return &qrCode{Size: c.Size + 2*qrQuiet, Path: b.String(), URL: link}, nil
}
