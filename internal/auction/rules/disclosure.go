package rules

import (
	"fmt"
	"time"

	"ggzy/internal/apperr"
)

// PreDisclosure is the pre-disclosure (信息预披露) a state-property
// announcement declares: it runs from the announcement (noticeAt) to the
// day before the formal disclosure starts (FormalFrom, a date). Control
// marks a transfer that moves control of the enterprise (实际控制权转移),
// for which the pre-disclosure is mandatory and starts within
// p.PreDisclosureStart of the approval (ApprovedOn, a date).
type PreDisclosure struct {
	Control    bool
	ApprovedOn time.Time
	FormalFrom time.Time
}

// FormalStart is when the formal disclosure (正式披露) of an announcement
// at noticeAt starts: at FormalFrom after a pre-disclosure, else at the
// announcement; a change of substance during the formal disclosure
// restarts it at the change (noticeAt then lies after FormalFrom).
func (pd PreDisclosure) FormalStart(noticeAt time.Time) time.Time {
	if pd.FormalFrom.IsZero() || !day(noticeAt).Before(day(pd.FormalFrom)) {
		return noticeAt
	}
	return day(pd.FormalFrom)
}

// CheckPreDisclosure checks the pre-disclosure of an announcement
// published (first = true) or changed with a restart at noticeAt, under
// BasisO32PreDisclosure: a control transfer needs the approval date and a
// pre-disclosure; the approval is not after the announcement, which comes
// within p.PreDisclosureStart of it (checked when first published); the
// pre-disclosure lasts at least p.PreDisclosure (20 wd) for a control
// transfer, and any pre-disclosure ends after the announcement's date.
// Once the formal disclosure has started, a later change (first = false)
// restarts the formal disclosure only: nothing here applies. Errors are
// Invalid with the field (approved_on, disclosure_from) and the basis.
func CheckPreDisclosure(p Params, days Days, pd PreDisclosure, noticeAt time.Time, first bool) error {
	d := DefaultParams()
	dur := periodOr(p.PreDisclosure, d.PreDisclosure)
	capStart := periodOr(p.PreDisclosureStart, d.PreDisclosureStart)
	basis := BasisO32PreDisclosure
	notice := day(noticeAt)
	if pd.Control {
		if pd.ApprovedOn.IsZero() {
			return apperr.Rule(apperr.Invalid, basis, "转让导致转让标的企业实际控制权转移的，请填写转让行为的批准日期。").
				WithField("approved_on", "请填写批准日期。")
		}
		if pd.FormalFrom.IsZero() {
			return apperr.Rule(apperr.Invalid, basis, "转让导致转让标的企业实际控制权转移的，应先进行不少于%s的信息预披露，请填写正式披露开始日期。", dur.Describe()).
				WithField("disclosure_from", "请填写正式披露开始日期。")
		}
	}
	if pd.FormalFrom.IsZero() {
		return nil
	}
	if !first && !notice.Before(day(pd.FormalFrom)) {
		return nil // a restart of the formal disclosure
	}
	if !pd.ApprovedOn.IsZero() && day(pd.ApprovedOn).After(notice) {
		return apperr.Rule(apperr.Invalid, basis, "批准日期（%s）不能晚于信息预披露开始之日（%s）。", fmtDay(pd.ApprovedOn), fmtDay(notice)).
			WithField("approved_on", "不能晚于公告发布之日。")
	}
	if first && pd.Control {
		if last := days.End(pd.ApprovedOn, capStart); notice.After(last) {
			return apperr.Rule(apperr.Invalid, basis, "信息预披露应在转让行为获批后%s内开始：%s获批，最迟应于%s发布，今天为%s。",
				capStart.Describe(), fmtDay(pd.ApprovedOn), fmtDay(last), fmtDay(notice)).
				WithField("approved_on", fmt.Sprintf("获批后%s内发布。", capStart.Describe()))
		}
	}
	if !day(pd.FormalFrom).After(notice) {
		return apperr.Rule(apperr.Invalid, basis, "正式披露开始日期（%s）应晚于信息预披露开始之日（%s）。", fmtDay(pd.FormalFrom), fmtDay(notice)).
			WithField("disclosure_from", "应晚于公告发布之日。")
	}
	if pd.Control {
		if first := days.End(noticeAt, dur); day(pd.FormalFrom).Before(first) {
			return apperr.Rule(apperr.Invalid, basis, "信息预披露时间不得少于%s：预披露自%s开始，正式披露最早可于%s开始。", dur.Describe(), fmtDay(notice), fmtDay(first)).
				WithField("disclosure_from", fmt.Sprintf("最早%s。", fmtDay(first)))
		}
	}
	return nil
}

// CheckExtension checks the trading centre's decision to extend a formal
// disclosure by n days (in p.DisclosureExtend's unit) with qualified
// buyers so far: only when none qualified (with a deposit), once less than
// a working day of the disclosure remains (now within one working day of
// startAt, its end) or after it, and by at least p.DisclosureExtend each
// time. Errors: Conflict (not now) or Invalid (n, field days), with
// BasisO32Extension.
func CheckExtension(p Params, days Days, now, startAt time.Time, n, qualified int) error {
	ext := periodOr(p.DisclosureExtend, DefaultParams().DisclosureExtend)
	basis := BasisO32Extension
	if qualified > 0 {
		return apperr.Rule(apperr.Conflict, basis, "已有%d个合格意向受让方，信息披露期满后按公告的方式确定受让方，不能延长信息披露。", qualified)
	}
	if left := days.Between(now, startAt, WorkingDays); left > 1 {
		return apperr.Rule(apperr.Conflict, basis, "信息披露期至%s届满，尚余%d个工作日；期满（最后一个工作日）仍未征集到合格意向受让方的，方可延长。", fmtDay(startAt), left)
	}
	if n < ext.Value {
		return apperr.Rule(apperr.Invalid, basis, "每次延长信息披露的期限不得少于%s，当前为%s。", ext.Describe(), Period{Value: n, Unit: ext.Unit}.Describe()).
			WithField("days", fmt.Sprintf("不得少于%s。", ext.Describe()))
	}
	return nil
}

// ExtendedStart is the new end of a formal disclosure ending at startAt
// extended by n days of p.DisclosureExtend's unit: the last day of the
// extension, at startAt's time of day.
func ExtendedStart(p Params, days Days, startAt time.Time, n int) time.Time {
	ext := periodOr(p.DisclosureExtend, DefaultParams().DisclosureExtend)
	last := days.End(startAt, Period{Value: n, Unit: ext.Unit, Basis: ext.Basis})
	s := startAt.In(last.Location())
	return time.Date(last.Year(), last.Month(), last.Day(), s.Hour(), s.Minute(), s.Second(), s.Nanosecond(), last.Location()).UTC()
}
