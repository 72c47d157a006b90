package httpx

import (
	"reflect"
	"testing"
	"time"

	"ggzy/internal/pdf"
	"ggzy/internal/scoring"
	"ggzy/internal/tender"
)

// TestReportInputRecord: the report's record of the committee — formula,
// mode, draws, signed sheets by seat, deviations — reaches the PDF input,
// labelled, and with no names beyond Members.
func TestReportInputRecord(t *testing.T) {
	at := time.Date(2026, 3, 3, 7, 10, 5, 0, time.UTC)
	rep := tender.Report{
		Method: tender.Comprehensive, Members: nil, FinishedAt: at,
		PriceFormula: scoring.FormulaLowPriceFirst, Remote: true,
		Draws: []tender.ReportDraw{
			{ID: "d1", Attempt: 1, Status: string(tender.DrawFailed), RequestIndex: 10, CheckpointSize: 11},
			{ID: "d2", Attempt: 2, Status: string(tender.DrawDone), Reason: "第1次抽取失败", RequestIndex: 20, CheckpointSize: 22, ResultDigest: "ab12", Exclusions: 3},
		},
		Sheets: []tender.ReportSheet{
			{Seat: 1, Kind: string(tender.MemberExpert), Chair: true, Digest: "dd", Fingerprint: "ff", SubmittedAt: at},
			{Seat: 2, Kind: string(tender.MemberRep), Digest: "d2", Fingerprint: "f2", SubmittedAt: at.Add(time.Minute)},
		},
		Deviations: []tender.ReportDeviation{{Seat: 2, Bidder: "北海银滩建设有限公司", Item: "施工组织设计", Score: 1800, Mean: 1320, Pct: 3636, Explanation: "理由充分。"}},
	}
	in := Deps{SiteName: "南宁市公共资源交易平台"}.ReportInput(tender.LotView{Report: &rep})
	if in.PriceFormula != pdf.FormulaLowPriceFirst || pdf.FormulaLabel(in.PriceFormula) != "低价优先法（财政部令第87号第五十五条）" || !in.Remote || !in.Comprehensive {
		t.Errorf("formula %q, remote %v", in.PriceFormula, in.Remote)
	}
	wantDraws := []pdf.Draw{
		{ID: "d1", Attempt: 1, Status: "抽取失败", RequestIndex: 10, CheckpointSize: 11},
		{ID: "d2", Attempt: 2, Status: "已抽取", Reason: "第1次抽取失败", RequestIndex: 20, CheckpointSize: 22, ResultDigest: "ab12", Exclusions: 3},
	}
	if !reflect.DeepEqual(in.Draws, wantDraws) {
		t.Errorf("draws\n got %+v\nwant %+v", in.Draws, wantDraws)
	}
	wantSheets := []pdf.Sheet{
		{Seat: 1, Chair: true, Digest: "dd", Fingerprint: "ff", SubmittedAt: at},
		{Seat: 2, PrincipalRep: true, Digest: "d2", Fingerprint: "f2", SubmittedAt: at.Add(time.Minute)},
	}
	if !reflect.DeepEqual(in.Sheets, wantSheets) {
		t.Errorf("sheets\n got %+v\nwant %+v", in.Sheets, wantSheets)
	}
	wantDevs := []pdf.Deviation{{Seat: 2, Bidder: "北海银滩建设有限公司", Item: "施工组织设计", Score: 1800, Mean: 1320, Pct: 3636, Explanation: "理由充分。"}}
	if !reflect.DeepEqual(in.Deviations, wantDevs) {
		t.Errorf("deviations\n got %+v\nwant %+v", in.Deviations, wantDevs)
	}
	if in.Members != nil {
		t.Error("names appear while secret")
	}
}

// The PDF labels the formulas by the names the scoring rules give them.
func TestFormulaNamesAgree(t *testing.T) {
	for _, f := range [][2]string{
		{scoring.FormulaBaseRatio, pdf.FormulaBaseRatio},
		{scoring.FormulaLowPriceFirst, pdf.FormulaLowPriceFirst},
		{scoring.FormulaBenchmarkDeviation, pdf.FormulaBenchmarkDeviation},
	} {
		if f[0] != f[1] {
			t.Errorf("scoring names a formula %q, the PDF %q", f[0], f[1])
		}
	}
}
