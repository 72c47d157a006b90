package tender

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/apperr"
	arules "ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/scoring"
)

// Land-use rights sold by tender (国有建设用地使用权招标出让, issue 5 §1)
// run on this package's tender procedure unchanged — notice, documents,
// sealed bids under custody, opening, the committee draw, the evaluation
// room, candidate publicity, award — with what a sale changes:
//
//   - the project's Category is LandUse, its principal the seller (出让人),
//     every lot carries Land (the plot and the start price) and a land
//     specialty (E, expert classification);
//   - the notice period is the land one, 20 days from the notice to the
//     bid deadline (LO39, as for listing), not TBL 24's from the documents;
//   - the price direction is reversed: bids below the start price are
//     rejected at the opening, the highest price wins (HighestPrice) or
//     the comprehensive score uses scoring.FormulaHighestPrice;
//   - the seller's reserve (底价/标底) is committed in the ledger, applied at
//     the evaluation (a bid below it cannot win) and revealed with the
//     result (LO39 art. 12: secret before the opening; we keep it until the
//     result, like the sales);
//   - the award names the 中标人（竞得人）and the 成交价, and must go to the
//     first candidate (LO39 art. 14: the tenderer 应当 be chosen).

// BasisLandReserve is the basis of the reserve (底价): fixed by the seller,
// secret until the opening (LO39 art. 12).
const BasisLandReserve = BasisLandTender + "第十二条"

// Legal bases of the land tender (RULES.md §4, LO39 [secondary]).
const (
	basisLandReserve  = BasisLandReserve
	basisLandOpening  = BasisLandTender + "第十三条"
	basisLandWinner   = BasisLandTender + "第十四条"
	basisLandStartBid = "招标出让公告载明的起始价；" + basisLandWinner
)

// Criteria are the compliance review's items for the lot: TBR 51's grounds
// for works; for a land sale the grounds a sale's tender documents set
// under LO39 art. 14 (a bid that fails the documents' substantive
// requirements cannot win) — the keys are the same, so the signed sheet
// (ggzy-sheet-v1) keeps its form. [assumption] The land items follow the
// usual invalid-bid grounds of 招标出让文件 (seal and signature, eligibility,
// one bid per bidder, start price, deposit and substantive response).
func (l Lot) Criteria() []Criterion {
	if !l.IsLand() {
		return ComplianceCriteria
	}
	docs := basisLandWinner + "；招标出让文件"
	return []Criterion{
		{"sign", "投标文件加盖投标人印章，并经法定代表人或其委托代理人签字", docs},
		{"consortium", "联合投标的附联合投标协议（非联合投标的视为符合）", docs},
		{"qualification", "投标人符合招标出让公告规定的投标资格条件", docs},
		{"single", "每一投标人只提交一份投标文件、一个报价", docs},
		{"price", "投标报价不低于招标出让公告载明的起始价（低于起始价的已在开标时否决）", basisLandStartBid},
		{"responsive", "已按招标出让公告交纳投标保证金，并对招标出让文件的实质性要求和出让条件作出响应", docs},
		{"integrity", "无串通投标、弄虚作假、行贿等违法行为", docs},
	}
}

// ComplianceBasis is the basis the compliance review cites on the lot.
func (l Lot) ComplianceBasis() string {
	if l.IsLand() {
		return basisLandWinner
	}
	return "《招标投标法实施条例》第五十一条"
}

// LandDept is the supervising department of land sales.
const LandDept = "自然资源"

// DefaultLandScoring is a comprehensive scoring table for a land tender
// (综合评标: price and the development plan). [assumption] The split is
// the platform's default, the tender documents may set another.
func DefaultLandScoring() []ScoreItem {
	return []ScoreItem{
		{Key: "price", Name: "出让价款", Max: 6000, Price: true, Formula: scoring.FormulaHighestPrice},
		{Key: "plan", Name: "开发建设方案", Max: 3000},
		{Key: "credit", Name: "开发资信及业绩", Max: 1000},
	}
}

// IsLand reports whether the lot is a land sale by tender.
func (l Lot) IsLand() bool { return l.Land != nil }

// NoticeCategory is the portal category of the project's notices.
func (p Project) NoticeCategory() string {
	if p.Category == LandUse {
		return string(LandUse)
	}
	return string(Works)
}

// validateLand adds the land lot's field errors to f and returns the basis
// of a statutory refusal ("" if none).
func validateLand(in LotInput, f map[string]string) string {
	d := in.Land
	if in.Method != HighestPrice && in.Method != Comprehensive {
		f["method"] = "土地招标出让的评标办法为最高报价法或综合评估法（" + basisLandWinner + "）。"
	}
	if !strings.HasPrefix(in.CategoryCode, "E") {
		f["category_code"] = "土地招标出让应选择土地矿业权类（E）专业，如 E0101。"
	}
	if in.Ceiling != 0 {
		f["ceiling"] = "出让项目由投标人支付价款，不设最高投标限价。"
	}
	if utf8.RuneCountInString(strings.TrimSpace(d.Location)) < 4 {
		f["location"] = "请填写宗地坐落（至少4个字）。"
	}
	if d.AreaM2 <= 0 {
		f["area_m2"] = "宗地面积应大于0平方米。"
	}
	if d.StartPrice <= 0 {
		f["start_price"] = "起始价应大于0。"
	}
	if err := arules.CheckLandTerm(d.Use, d.TermYears); err != nil {
		e := apperr.As(err)
		if _, ok := e.Fields["use"]; ok {
			f["use"] = e.Message
		} else {
			f["term_years"] = e.Message
		}
		return e.Basis
	}
	return ""
}

// EarliestLandDeadline is the earliest lawful bid deadline of a land tender
// whose notice is published at noticeAt: the land notice period (20 days,
// LO39, the same parameter as the listing's) counted from the day after the
// notice, at the given clock time. [assumption] LO39 counts to the start of
// the tender (投标开始日); bids are sealed and can be opened only at the
// deadline, so the platform counts to the deadline (开标).
func (s *Service) EarliestLandDeadline(noticeAt time.Time, hour, min int) time.Time {
	p := arules.DefaultParams().LandNotice
	end, _ := s.cal.PeriodEnd(noticeAt, p.Value, calendar.Unit(p.Unit))
	return time.Date(end.Year(), end.Month(), end.Day(), hour, min, 0, 0, clock.Shanghai).UTC()
}

// ValidateLandSchedule checks a land tender notice's dates: the land
// notice period before the deadline, documents available from the notice
// until no later than the deadline. TBL 24 and TBR 16 (engineering) do not
// apply to a sale.
func (s *Service) ValidateLandSchedule(now time.Time, in PublishInput) error {
	if in.DocsFrom.IsZero() || in.DocsUntil.IsZero() || in.BidDeadline.IsZero() {
		return apperr.New(apperr.Invalid, "请填写文件获取起止时间和投标截止时间。")
	}
	f := map[string]string{}
	basis := ""
	if in.DocsFrom.Before(now.Add(-time.Minute)) {
		f["docs_from"] = "文件获取开始时间不能早于公告发布时间。"
	}
	if !in.DocsUntil.After(in.DocsFrom) {
		f["docs_until"] = "文件获取截止时间应晚于开始时间。"
	}
	if in.DocsUntil.After(in.BidDeadline) {
		f["docs_until"] = "文件获取截止时间不能晚于投标截止时间。"
	}
	p := arules.DefaultParams().LandNotice
	dl := in.BidDeadline.In(clock.Shanghai)
	if earliest := s.EarliestLandDeadline(now, dl.Hour(), dl.Minute()); in.BidDeadline.Before(earliest) {
		f["bid_deadline"] = fmt.Sprintf("国有建设用地使用权招标出让公告应当至少在投标开始日前%s发布，投标截止最早可定为%s（北京时间）。", p.Describe(), clock.Format(earliest))
		basis = p.Basis
	}
	if len(f) == 0 {
		return nil
	}
	return &apperr.Error{Code: apperr.Invalid, Message: "公告时间安排不符合法定时限，请按提示修改。", Fields: f, Basis: basis}
}

// validateSchedule applies the notice-period rule of the project's category.
func (s *Service) validateSchedule(now time.Time, p Project, in PublishInput) error {
	if p.Category == LandUse {
		return s.ValidateLandSchedule(now, in)
	}
	return s.ValidateSchedule(now, in)
}

// SetReserve enters the reserve (底价/标底) of a land lot — by the seller's
// side, before the bid deadline. The amount is committed in the ledger (an
// entry holding only the lot and the amount, revealed with the result) and
// kept in lot_reserves, which no view reads; a later entry replaces an
// earlier one, and all are revealed.
func (s *Service) SetReserve(ctx context.Context, actor party.Actor, lotID ids.ID, amount money.Fen) error {
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		l, _, err := managedLot(ctx, tx, actor, lotID, "录入底价", "", "")
		if err != nil {
			return err
		}
		if !l.IsLand() {
			return apperr.Rule(apperr.Conflict, "《招标投标法实施条例》第二十七条、第五十条", "工程招标不设底价；标底只能作为评标参考，不得作为否决投标的条件。")
		}
		if (l.Status != Draft && l.Status != Bidding) || (!l.BidDeadline.IsZero() && !now.Before(l.BidDeadline)) {
			return apperr.Rule(apperr.Deadline, basisLandReserve, "底价应当在投标截止（开标）前确定并保密，投标截止后不能再录入。")
		}
		if amount < l.Land.StartPrice {
			return apperr.New(apperr.Invalid, "底价不应低于公告的起始价%s。", l.Land.StartPrice).WithField("reserve", "底价低于起始价。")
		}
		prev, err := tx.ListLotReserves(ctx, l.ID)
		if err != nil {
			return err
		}
		seq := int64(len(prev) + 1)
		// The commitment holds no actor: its private part is published whole
		// by the reveal; who entered it is the next, public entry.
		e, err := ledger.Seal(ledger.Draft{Type: ledger.Confidential, Public: map[string]any{},
			Private: map[string]any{"what": "reserve", "lot": l.Code, "lot_id": l.ID, "reserve": amount, "seq": seq}}, now)
		if err != nil {
			return err
		}
		idx, err := tx.AppendLedger(ctx, e)
		if err != nil {
			return err
		}
		if err := tx.AddLotReserve(ctx, LotReserve{LotID: l.ID, Seq: seq, Amount: amount, LedgerIndex: idx, SetAt: now, SetBy: actor.UserID}); err != nil {
			return err
		}
		_, err = record(ctx, tx, now, actor, "tender.reserve_committed", l.Code, map[string]any{"lot": l.Code, "commitment": idx}, nil)
		return err
	})
}

// reserveOf is the reserve in force (the last entry) and whether one was set.
func reserveOf(rs []LotReserve) (money.Fen, bool) {
	if len(rs) == 0 {
		return 0, false
	}
	return rs[len(rs)-1].Amount, true
}

// concludeLand reveals a land lot's reserve commitments when its result is
// known (evaluated, or failed) and records the reserve in the result entry.
// Nothing for works.
func (s *Service) concludeLand(ctx context.Context, tx Tx, now time.Time, l Lot) error {
	if !l.IsLand() {
		return nil
	}
	rs, err := tx.ListLotReserves(ctx, l.ID)
	if err != nil {
		return err
	}
	var revealed []int64
	for _, r := range rs {
		es, err := tx.ListLedger(ctx, "", r.LedgerIndex, 1)
		if err != nil {
			return err
		}
		if len(es) != 1 || es[0].Index != r.LedgerIndex {
			return fmt.Errorf("tender: reserve entry %d of lot %s missing", r.LedgerIndex, l.ID)
		}
		e, err := ledger.Seal(ledger.RevealDraft(es[0], l.Code), now)
		if err != nil {
			return err
		}
		idx, err := tx.AppendLedger(ctx, e)
		if err != nil {
			return err
		}
		revealed = append(revealed, idx)
	}
	amount, has := reserveOf(rs)
	pub := map[string]any{"lot": l.Code, "has_reserve": has, "reserve_reveals": revealed, "basis": basisLandReserve}
	if has {
		pub["reserve"] = amount
	}
	_, err = record(ctx, tx, now, party.System(), "tender.reserve_revealed", l.Code, pub, nil)
	return err
}

// belowReserve marks, on the caller's copies, the bids whose price is below
// the reserve: they cannot win (LO39 art. 14 read with art. 12: the reserve
// is the lowest acceptable price [assumption: applied to both methods]).
func belowReserve(bids []Bid, reserve money.Fen) []Bid {
	out := make([]Bid, len(bids))
	for i, b := range bids {
		if b.Opened != nil && b.Opened.Price < reserve {
			b.Reject = append(append([]string(nil), b.Reject...), fmt.Sprintf("投标报价%s低于底价（%s）", b.Opened.Price, basisLandWinner))
		}
		out[i] = b
	}
	return out
}

// LandReserve is a land lot's reserve as the result shows it: only once the
// lot is settled (after the evaluation, or failed).
type LandReserve struct {
	Set    bool
	Amount money.Fen
}

// landReserveView reads the reserve for a settled land lot (nil otherwise).
func landReserveView(ctx context.Context, tx Tx, l Lot) (*LandReserve, error) {
	if !l.IsLand() || !landSettled(l) {
		return nil, nil
	}
	rs, err := tx.ListLotReserves(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	amount, has := reserveOf(rs)
	return &LandReserve{Set: has, Amount: amount}, nil
}

// landSettled: the result is known, so the reserve has been revealed.
func landSettled(l Lot) bool {
	switch l.Status {
	case Publicity, Awarded, Contracted:
		return true
	case Failed:
		return true
	}
	return false
}

// LandTender is a land lot sold by tender as the land sales list shows it.
type LandTender struct {
	Project  Project
	Lot      Lot
	Seller   string    // the principal (出让人)
	NoticeAt time.Time // the tender notice
	Award    *Award    // once awarded
}

// ListLandTenders lists the published open-tender land lots, newest notice
// first, for the portal's land sales (public data only: no reserve, no
// bidder before the award).
func (s *Service) ListLandTenders(ctx context.Context, limit int) ([]LandTender, error) {
	var out []LandTender
	err := s.store.Read(ctx, func(tx Tx) error {
		ps, err := tx.ListProjects(ctx, "")
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Category != LandUse {
				continue
			}
			lots, err := tx.ListLots(ctx, LotFilter{ProjectID: p.ID, Published: true})
			if err != nil {
				return err
			}
			seller, err := tx.GetEntity(ctx, p.PrincipalID)
			if err != nil {
				return err
			}
			for _, l := range lots {
				if l.Procedure != Open || !l.IsLand() {
					continue
				}
				row := LandTender{Project: p, Lot: l, Seller: seller.Name, NoticeAt: l.DocsFrom}
				ns, _, err := tx.ListNotices(ctx, NoticeFilter{LotID: l.ID, Kind: NoticeTender, Limit: 1})
				if err != nil {
					return err
				}
				if len(ns) > 0 {
					row.NoticeAt = ns[0].PublishedAt
				}
				if l.Status == Awarded || l.Status == Contracted {
					a, err := tx.GetAward(ctx, l.ID)
					if err != nil {
						return err
					}
					row.Award = &a
				}
				out = append(out, row)
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].NoticeAt.After(out[j].NoticeAt) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}
