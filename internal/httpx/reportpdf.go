package httpx

import (
	"net/http"
	"net/url"
	"strings"

	"ggzy/internal/apperr"
	"ggzy/internal/pdf"
	"ggzy/internal/tender"
)

// ReportInput maps the evaluation report an actor may see (v.Report, as
// ViewLot blanked it) into the PDF's input.
func (d Deps) ReportInput(v tender.LotView) pdf.ReportInput {
	r := v.Report
	in := pdf.ReportInput{
		SiteName: d.SiteName, ProjectName: v.Project.Name, ProjectCode: v.Project.Code,
		LotName: v.Lot.Name, LotCode: v.Lot.Code, Principal: v.Principal.Name, Agency: v.Agency.Name,
		Method: r.Method.Label(), Comprehensive: r.Method == tender.Comprehensive, HighestPrice: r.Method == tender.HighestPrice,
		BidderCount: len(r.Rows), Members: r.Members, FinishedAt: r.FinishedAt, Failed: r.Failed,
		PriceFormula: r.PriceFormula, Remote: r.Remote,
	}
	if v.Opening != nil {
		in.OpenedAt, in.BidderCount = v.Opening.AsOf, v.Opening.BidderCount
	}
	row := func(x tender.ReportRow) pdf.Row {
		return pdf.Row{Bidder: x.EntityName, Price: x.Price, EvaluatedPrice: x.EvaluatedPrice, Score: x.Total, Rank: x.Rank, Rejected: x.Rejected, Reasons: x.Reasons}
	}
	for _, x := range r.Rows {
		in.Rows = append(in.Rows, row(x))
	}
	for _, x := range r.Candidates {
		in.Candidates = append(in.Candidates, row(x))
	}
	// Seats, not names: the names are in Members alone, blanked while secret.
	for _, x := range r.Draws {
		in.Draws = append(in.Draws, pdf.Draw{ID: x.ID, Attempt: x.Attempt, Status: tender.DrawStatus(x.Status).Label(), Reason: x.Reason,
			RequestIndex: x.RequestIndex, CheckpointSize: x.CheckpointSize, ResultDigest: x.ResultDigest, Exclusions: x.Exclusions})
	}
	for _, x := range r.Sheets {
		in.Sheets = append(in.Sheets, pdf.Sheet{Seat: x.Seat, PrincipalRep: x.Kind == string(tender.MemberRep), Chair: x.Chair,
			Digest: x.Digest, Fingerprint: x.Fingerprint, SubmittedAt: x.SubmittedAt})
	}
	for _, x := range r.Deviations {
		in.Deviations = append(in.Deviations, pdf.Deviation{Seat: x.Seat, Bidder: x.Bidder, Item: x.Item,
			Score: x.Score, Mean: x.Mean, Pct: x.Pct, Explanation: x.Explanation})
	}
	return in
}

// ServeReportPDF renders, signs and sends the evaluation report of v: the
// API and the web UI share it, so both answer the same way. Whoever may not
// see the report (v.Report is nil) gets the not-found answer the lot page
// gives for anything hidden. Errors come back before anything is written.
//
// The response carries X-Content-SM3 (the PDF's SM3, hex) and
// X-Signature-SM2 (base64 DER, the platform key's signature of the PDF
// bytes), verifiable with the key published at GET /api/v1/ledger/key.
func (d Deps) ServeReportPDF(w http.ResponseWriter, v tender.LotView) error {
	if v.Report == nil {
		return apperr.NotFoundf("评标报告")
	}
	if d.Font == nil {
		return pdf.ErrNoFont()
	}
	b, err := pdf.EvaluationReport(d.Font, d.ReportInput(v))
	if err != nil {
		return err
	}
	return d.sendSignedPDF(w, b, ReportDisposition(v.Lot.Code), "private, no-store")
}

// sendSignedPDF signs a PDF with the platform key and sends it: the SM3
// digest and the SM2 signature in X-Content-SM3 and X-Signature-SM2.
func (d Deps) sendSignedPDF(w http.ResponseWriter, b []byte, disposition, cache string) error {
	digest, sig, err := pdf.Sign(b, d.PlatformKey)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-SM3", digest)
	h.Set("X-Signature-SM2", sig)
	h.Set("Cache-Control", cache)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

// ReportDisposition names the download 评标报告-<lot code>.pdf: RFC 5987
// (filename*) for clients that read it, an ASCII filename for the rest.
func ReportDisposition(lotCode string) string {
	return disposition("evaluation-report-", "评标报告-", lotCode)
}

// disposition is an attachment named name+code.pdf in UTF-8 (RFC 5987) and
// ascii+code.pdf for clients that read only filename, the code made safe.
func disposition(ascii, name, code string) string {
	safe := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '/' {
			return '_'
		}
		return r
	}, code)
	return `attachment; filename="` + ascii + safe + `.pdf"; filename*=UTF-8''` + url.PathEscape(name+safe+".pdf")
}
