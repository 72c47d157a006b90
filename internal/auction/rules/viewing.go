package rules

import (
	"fmt"
	"time"

	"ggzy/internal/apperr"
)

// CheckViewing checks the viewing period (拍卖标的展示) an auction's
// announcement states, from and to being dates: both are given, from is
// not after to and not before the announcement's date, the viewing lasts at
// least p.AuctionViewing (both days included; 2 days by default) and it
// ends before the auction's date (《拍卖法》第四十八条: 拍卖前展示, 展示时间
// 不得少于两日). Errors are Invalid, name the field (view_from, view_to)
// and carry the basis.
func CheckViewing(p Params, days Days, noticeAt, from, to, auctionAt time.Time) error {
	min := periodOr(p.AuctionViewing, DefaultParams().AuctionViewing)
	basis := basisOr(min.Basis, BasisAL48)
	switch {
	case from.IsZero() && to.IsZero():
		return apperr.Rule(apperr.Invalid, basis, "拍卖公告应载明拍卖标的的展示时间，展示时间不得少于%s。", min.Describe()).
			WithField("view_from", "请填写展示开始日期。").WithField("view_to", "请填写展示结束日期。")
	case from.IsZero():
		return apperr.Rule(apperr.Invalid, basis, "请填写拍卖标的展示的开始日期。").WithField("view_from", "请填写展示开始日期。")
	case to.IsZero():
		return apperr.Rule(apperr.Invalid, basis, "请填写拍卖标的展示的结束日期。").WithField("view_to", "请填写展示结束日期。")
	}
	from, to = day(from), day(to)
	if to.Before(from) {
		return apperr.Rule(apperr.Invalid, basis, "展示结束日期（%s）不能早于开始日期（%s）。", fmtDay(to), fmtDay(from)).
			WithField("view_to", "不能早于开始日期。")
	}
	if !noticeAt.IsZero() && from.Before(day(noticeAt)) {
		return apperr.Rule(apperr.Invalid, basis, "展示应在拍卖公告发布后进行：公告于%s发布，展示开始日期为%s。", fmtDay(noticeAt), fmtDay(from)).
			WithField("view_from", fmt.Sprintf("最早%s。", fmtDay(noticeAt)))
	}
	if n := days.Between(from.AddDate(0, 0, -1), to, min.Unit); n < min.Value {
		return apperr.Rule(apperr.Invalid, basis, "拍卖标的展示时间不得少于%s：%s至%s只有%s。", min.Describe(), fmtDay(from), fmtDay(to), Period{Value: n, Unit: min.Unit}.Describe()).
			WithField("view_to", fmt.Sprintf("展示时间不得少于%s。", min.Describe()))
	}
	if !auctionAt.IsZero() && !to.Before(day(auctionAt)) {
		return apperr.Rule(apperr.Invalid, basis, "展示应在拍卖日前结束：拍卖于%s开始，展示结束日期为%s。", fmtDay(auctionAt), fmtDay(to)).
			WithField("view_to", fmt.Sprintf("应早于拍卖日%s。", fmtDay(auctionAt)))
	}
	return nil
}
