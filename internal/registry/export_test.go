package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"skalig"
	"strconv"
	"strings"
)

// Helpers that only the tests use.

// Exchanges reads raw evidence written by Bundle. A raw that is not a
// bundle is one exchange of which only Body is known.
func Exchanges(raw []byte) ([]Exchange, error) {
	if !bytes.HasPrefix(raw, []byte(bundlePrefix)) {
		return []Exchange{{Body: raw}}, nil
	}
	rest := raw[len(bundlePrefix):]
	line, body, ok := bytes.Cut(rest, []byte("\r\n\r\n"))
	if !ok {
		return nil, errors.New("evidence bundle: no header end")
	}
	ct, ok := bytes.CutPrefix(line, []byte("Content-Type: "))
	if !ok {
		return nil, errors.New("evidence bundle: no content type")
	}
	_, params, err := mime.ParseMediaType(string(ct))
	if err != nil || params["boundary"] == "" {
		return nil, errors.New("evidence bundle: no boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var out []Exchange
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("evidence bundle: %w", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("evidence bundle: %w", err)
		}
		e := Exchange{Body: b, CorrelationID: p.Header.Get("X-Skalig-Correlation-Id")}
		if s := p.Header.Get("X-Skalig-Sources"); s != "" {
			e.Sources = strings.Split(s, ",")
		}
		e.Received, _ = skalig.ParseTime(p.Header.Get("X-Skalig-Received"))
		e.HTTPStatus, _ = strconv.Atoi(p.Header.Get("X-Skalig-Http-Status"))
		out = append(out, e)
	}
	return out, nil
}

// MalformedProblem is what the client logs of a part with a bad amount
// quoted from the answer (for TestMalformedPartLogsNoValue).
func MalformedProblem(value string) string {
	e := malformedPart("skv", partDetail(bad("bad_amount", item("payment", 2), quoted(value))))
	return problemIDs(e.Detail)
}
