package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"skalig"
)

// Exchange is one request and its raw answer, as kept in evidence.
type Exchange struct {
	Sources       []string // the sources asked in this exchange
	CorrelationID string
	Received      time.Time
	HTTPStatus    int
	Body          []byte // the raw answer as received
}

// bundlePrefix starts a bundle of several exchanges; a single SOAP answer
// never starts so.
const bundlePrefix = "MIME-Version: 1.0\r\n"

// Bundle returns the raw evidence of an answer built from exchanges: the
// one raw answer itself when there is one (the usual case), else a MIME
// multipart/mixed document with one part per exchange, in order, each with
// its sources, correlation id, time and HTTP status in headers. Exchanges
// reads both forms back.
func Bundle(exchanges []Exchange) []byte {
	if len(exchanges) == 0 {
		return nil
	}
	if len(exchanges) == 1 && !bytes.HasPrefix(exchanges[0].Body, []byte("MIME-Version:")) {
		return exchanges[0].Body
	}
	// A boundary derived from the content cannot occur in it.
	h := sha256.New()
	for _, e := range exchanges {
		h.Write(e.Body)
	}
	boundary := "skalig-evidence-" + hex.EncodeToString(h.Sum(nil))[:40]
	var b bytes.Buffer
	b.WriteString(bundlePrefix)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", boundary)
	w := multipart.NewWriter(&b)
	_ = w.SetBoundary(boundary)
	for i, e := range exchanges {
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Type", "text/xml; charset=utf-8")
		hdr.Set("X-Skalig-Exchange", strconv.Itoa(i+1))
		hdr.Set("X-Skalig-Sources", strings.Join(e.Sources, ","))
		hdr.Set("X-Skalig-Correlation-Id", e.CorrelationID)
		hdr.Set("X-Skalig-Received", skalig.FormatTime(e.Received))
		hdr.Set("X-Skalig-Http-Status", strconv.Itoa(e.HTTPStatus))
		pw, _ := w.CreatePart(hdr)
		_, _ = pw.Write(e.Body)
	}
	_ = w.Close()
	return b.Bytes()
}
