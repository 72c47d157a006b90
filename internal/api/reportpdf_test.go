package api

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"ggzy/internal/gm"
	"ggzy/internal/pdf"
)

// checkReportPDF downloads the evaluation report PDF as the agency and
// checks it against the platform key anyone can fetch; without the font the
// route answers with the error naming the Debian package.
func checkReportPDF(t *testing.T, e *env, lotID, token string) {
	t.Helper()
	path := "/api/v1/lots/" + lotID + "/report.pdf"
	if e.d.Font == nil {
		t.Log("WQY Zen Hei not installed: the report PDF itself is not checked")
	} else {
		r := e.do("GET", path, token, nil)
		if r.Code != 200 || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Fatalf("report.pdf: %d %s", r.Code, r.Header.Get("Content-Type"))
		}
		var lv LotView
		e.do("GET", "/api/v1/lots/"+lotID, token, nil).want(t, 200, &lv)
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") ||
			!strings.Contains(cd, "filename*=UTF-8''%E8%AF%84%E6%A0%87%E6%8A%A5%E5%91%8A-"+lv.Lot.Code+".pdf") {
			t.Errorf("Content-Disposition %q", cd)
		}
		var key LedgerKey
		e.do("GET", "/api/v1/ledger/key", "", nil).want(t, 200, &key)
		pub, err := gm.ParsePublicKeyPEM([]byte(key.PublicKeyPEM))
		if err != nil {
			t.Fatal(err)
		}
		if r.Header.Get("X-Content-SM3") != gm.SM3Hex(r.Body) {
			t.Error("X-Content-SM3 is not the SM3 of the body")
		}
		if !pdf.Verify(r.Body, r.Header.Get("X-Signature-SM2"), pub) {
			t.Error("X-Signature-SM2 does not verify with the published platform key")
		}
	}
	noFont := *e
	d := e.d
	d.Font = nil
	noFont.h = New(d)
	eb := noFont.do("GET", path, token, nil).wantError(t, http.StatusInternalServerError, "internal")
	if !strings.Contains(eb.Message, "fonts-wqy-zenhei") {
		t.Errorf("no-font message %q", eb.Message)
	}
}
