package auction

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/party"
)

// SaleInput is what the seller or the trading centre enters for a sale and
// its announcement (RULES.md §4: plot data, eligibility, deposit, start
// price, increment, times, how the winner is decided).
type SaleInput struct {
	Kind        Kind
	Mode        Mode
	Title       string
	SellerUSCC  string // the trading centre enters it for a seller; a seller's user sells for its own entity
	Data        Data
	Eligibility string
	Deposit     money.Fen
	StartPrice  money.Fen
	Increment   money.Fen
	StartAt     time.Time // listing start, auction time, quoting start (end of the disclosure), sealed window start
	EndAt       time.Time // listing close or sealed window end
}

func (in SaleInput) validate() error {
	f := map[string]string{}
	if utf8.RuneCountInString(strings.TrimSpace(in.Title)) < 4 {
		f["title"] = "请填写标的名称（至少4个字）。"
	}
	allowed, ok := modes[in.Kind]
	switch {
	case !ok:
		f["kind"] = "请选择交易标的类别：国有建设用地使用权、矿业权或国有产权。"
	case !slices.Contains(allowed, in.Mode):
		var names []string
		for _, m := range allowed {
			names = append(names, m.Label())
		}
		f["mode"] = fmt.Sprintf("%s的交易方式应为%s。", in.Kind.Label(), strings.Join(names, "、"))
	}
	if in.StartPrice <= 0 {
		f["start_price"] = "起始价（挂牌价）应大于零。"
	}
	if in.Increment < 0 || in.Increment == 0 && in.Mode != ModeSealed && in.Mode != ModeAgreement {
		f["increment"] = "增价幅度应大于零。"
	}
	if in.Deposit < 0 {
		f["deposit"] = "竞买保证金不能为负数。"
	}
	if strings.TrimSpace(in.Eligibility) == "" {
		f["eligibility"] = "请写明竞买人（意向受让方）资格条件。"
	}
	d := in.Data
	switch in.Kind {
	case Land, Mining:
		if strings.TrimSpace(d.Location) == "" {
			f["location"] = "请填写坐落位置。"
		}
		if !(d.AreaM2 > 0) || math.IsInf(d.AreaM2, 0) {
			f["area_m2"] = "面积应大于零（平方米）。"
		}
	}
	switch in.Kind {
	case Land:
		if err := rules.CheckLandTerm(d.Use, d.TermYears); err != nil {
			return err
		}
	case Mining:
		if strings.TrimSpace(d.Mineral) == "" {
			f["mineral"] = "请填写矿种。"
		}
		if d.TermYears <= 0 {
			f["term_years"] = "出让年限应大于零。"
		}
	case Property:
		if strings.TrimSpace(d.Asset) == "" {
			f["asset"] = "请写明转让标的。"
		}
		if d.Valuation < 0 {
			f["valuation"] = "评估值不能为负数。"
		}
	}
	if !in.StartAt.IsZero() && !in.EndAt.IsZero() && !in.EndAt.After(in.StartAt) {
		f["end_at"] = "截止时间应晚于开始时间。"
	}
	d.checkDates(in.Kind, in.Mode, f)
	return apperr.Fields("交易公告信息有误。", f)
}

// dayLayout is how the announcement's dates are written.
const dayLayout = "2006-01-02"

// parseDay reads a YYYY-MM-DD date as Shanghai midnight; "" is the zero
// time and ok.
func parseDay(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation(dayLayout, s, clock.Shanghai)
	return t, err == nil
}

// checkDates adds to f the errors of the announcement's dates: well formed,
// and given only where they apply (the viewing to an auction, the
// pre-disclosure to a state-property transfer). Their periods are checked
// when the announcement is published (checkSchedule).
func (d Data) checkDates(kind Kind, mode Mode, f map[string]string) {
	for field, v := range map[string]string{"view_from": d.ViewFrom, "view_to": d.ViewTo, "approved_on": d.ApprovedOn, "disclosure_from": d.DisclosureFrom} {
		if _, ok := parseDay(v); !ok {
			f[field] = "日期格式应为YYYY-MM-DD。"
		}
	}
	if mode != ModeAuction && (d.ViewFrom != "" || d.ViewTo != "") {
		f["view_from"] = "展示时间只适用于拍卖。"
	}
	if kind != Property && (d.ControlTransfer || d.ApprovedOn != "" || d.DisclosureFrom != "") {
		f["disclosure_from"] = "信息预披露只适用于国有产权转让。"
	}
}

// viewing is the announced viewing period (dates; zero if not stated).
func (d Data) viewing() (from, to time.Time) {
	from, _ = parseDay(d.ViewFrom)
	to, _ = parseDay(d.ViewTo)
	return from, to
}

// preDisclosure is the announced pre-disclosure of a property transfer.
func (d Data) preDisclosure() rules.PreDisclosure {
	approved, _ := parseDay(d.ApprovedOn)
	formal, _ := parseDay(d.DisclosureFrom)
	return rules.PreDisclosure{Control: d.ControlTransfer, ApprovedOn: approved, FormalFrom: formal}
}

// calDays counts rules.Days on the holiday calendar.
type calDays struct{ cal *calendar.Calendar }

func (d calDays) End(from time.Time, p rules.Period) time.Time {
	end, _ := d.cal.PeriodEnd(from, p.Value, calendar.Unit(p.Unit))
	return end
}

func (d calDays) Between(a, b time.Time, u rules.Unit) int {
	return d.cal.DaysBetween(a, b, calendar.Unit(u))
}

func (s *Service) days() rules.Days { return calDays{s.cal} }

// auctionParams are the sale's parameters with the quorum of an auction of
// its kind as the minimum of bidders (rules.AuctionQuorum: at least 3 for
// a mining right, whatever the platform allows for land).
func (sale Sale) auctionParams() rules.Params {
	p := sale.Params
	p.MinAuctionBidders = rules.AuctionQuorum(p, sale.Kind == Mining)
	return p
}

var kindCodes = map[Kind]string{Land: "TD", Mining: "KY", Property: "CQ"}

// CreateSale registers a sale as a draft: by the trading centre for a
// registered seller (SellerUSCC), or by a user of the seller for its own
// entity. It is announced with Announce.
func (s *Service) CreateSale(ctx context.Context, actor party.Actor, in SaleInput) (Sale, error) {
	if actor.Role != party.RoleOperator && actor.Role != party.RolePrincipal {
		return Sale{}, apperr.Forbiddenf("交易由出让人（转让方）或交易中心登记。")
	}
	if err := in.validate(); err != nil {
		return Sale{}, err
	}
	now := s.clock.Now()
	var sale Sale
	err := s.store.WithTx(ctx, func(tx Tx) error {
		sellerID := actor.EntityID
		if actor.Role == party.RoleOperator {
			uscc := strings.ToUpper(strings.TrimSpace(in.SellerUSCC))
			e, err := tx.GetEntityByUSCC(ctx, uscc)
			if apperr.Is(err, apperr.NotFound) {
				return apperr.New(apperr.Invalid, "出让人（转让方）统一社会信用代码“%s”未在平台登记。", uscc).WithField("seller", "未登记的单位")
			}
			if err != nil {
				return err
			}
			sellerID = e.ID
		} else if in.SellerUSCC != "" {
			e, err := tx.GetEntityByUSCC(ctx, strings.ToUpper(strings.TrimSpace(in.SellerUSCC)))
			if err != nil || e.ID != sellerID {
				return apperr.Forbiddenf("只能以本单位作为出让人（转让方）登记交易。").WithField("seller", "应为本单位")
			}
		}
		if sellerID == "" {
			return apperr.Forbiddenf("您的账号未关联出让人（转让方）单位。")
		}
		prefix := fmt.Sprintf("%s-%s-%d", s.region, kindCodes[in.Kind], now.In(clock.Shanghai).Year())
		n, err := tx.NextSeq(ctx, "sale:"+prefix)
		if err != nil {
			return err
		}
		sale = Sale{ID: s.ids.New(now), Code: fmt.Sprintf("%s-%04d", prefix, n), Kind: in.Kind, Mode: in.Mode, Title: strings.TrimSpace(in.Title),
			Region: s.region, SellerID: sellerID, Params: s.params, Status: StatusDraft, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
		sale.apply(in)
		if err := tx.CreateSale(ctx, sale); err != nil {
			return err
		}
		sale.Version = 1
		_, err = record(ctx, tx, now, actor, "auction.sale_created", sale, map[string]any{"kind": sale.Kind, "mode": sale.Mode, "title": sale.Title, "seller": sale.SellerID}, nil)
		return err
	})
	return sale, err
}

// apply copies the announcement's contents from in.
func (sale *Sale) apply(in SaleInput) {
	sale.Title = strings.TrimSpace(in.Title)
	sale.Data, sale.Eligibility = in.Data, strings.TrimSpace(in.Eligibility)
	sale.Deposit, sale.StartPrice, sale.Increment = in.Deposit, in.StartPrice, in.Increment
	sale.StartAt, sale.EndAt = in.StartAt.UTC(), in.EndAt.UTC()
	if sale.Mode != ModeListing && sale.Mode != ModeSealed {
		sale.EndAt = time.Time{}
	}
}

// input is the sale's announcement contents as a SaleInput.
func (sale Sale) input() SaleInput {
	return SaleInput{Kind: sale.Kind, Mode: sale.Mode, Title: sale.Title, Data: sale.Data, Eligibility: sale.Eligibility,
		Deposit: sale.Deposit, StartPrice: sale.StartPrice, Increment: sale.Increment, StartAt: sale.StartAt, EndAt: sale.EndAt}
}

// periods returns the notice period before the start that applies to the
// sale (the longest of those that apply) and the minimum listing period.
func (sale Sale) periods() (notice []rules.Period, listing *rules.Period) {
	p := sale.Params
	switch sale.Kind {
	case Land:
		notice = append(notice, p.LandNotice)
		if sale.Mode == ModeListing {
			listing = &p.ListingPeriod
		}
	case Mining:
		notice = append(notice, p.MiningNotice)
		if sale.Mode == ModeListing {
			listing = &p.MiningListing
		}
	case Property:
		notice = append(notice, p.Disclosure)
	}
	if sale.Mode == ModeAuction {
		notice = append(notice, p.AuctionNotice)
	}
	return notice, listing
}

// firstDay is the first date (Shanghai midnight) on which something that
// must come at least p after from may happen: the last day of the period
// counted from the day after from (民法典第二百零一条), in p's unit on the
// holiday calendar.
func (s *Service) firstDay(from time.Time, p rules.Period) time.Time {
	end, _ := s.cal.PeriodEnd(from, p.Value, calendar.Unit(p.Unit))
	return end
}

// checkSchedule checks the sale's times against the statutory periods
// counted from the announcement at noticeAt (first published when the sale
// is a draft): for a property transfer the pre-disclosure, then the formal
// disclosure counted from its start (rules.CheckPreDisclosure); for an
// auction the viewing (rules.CheckViewing, AL 48).
func (s *Service) checkSchedule(noticeAt time.Time, sale Sale) error {
	if sale.StartAt.IsZero() {
		return apperr.New(apperr.Invalid, "请填写%s开始时间。", sale.Mode.Label()).WithField("start_at", "请填写开始时间。")
	}
	if (sale.Mode == ModeListing || sale.Mode == ModeSealed) && sale.EndAt.IsZero() {
		return apperr.New(apperr.Invalid, "请填写%s截止时间。", sale.Mode.Label()).WithField("end_at", "请填写截止时间。")
	}
	from, what, since := noticeAt, "公告发布之日至开始之日", "公告于"+clock.Format(noticeAt)+"发布"
	if sale.Kind == Property {
		pd := sale.Data.preDisclosure()
		if err := rules.CheckPreDisclosure(sale.Params, s.days(), pd, noticeAt, sale.Status == StatusDraft); err != nil {
			return err
		}
		from, what = pd.FormalStart(noticeAt), "信息披露期"
		if !from.Equal(noticeAt) {
			since = "正式披露于" + from.Format(dayLayout) + "开始"
		}
	}
	notice, listing := sale.periods()
	for _, p := range notice {
		first := s.firstDay(from, p)
		if clock.Date(sale.StartAt).Before(first) {
			return apperr.Rule(apperr.Invalid, p.Basis, "%s不得少于%s：%s，开始时间最早可定在%s。", what, p.Describe(),
				since, first.Format("2006-01-02")).WithField("start_at", fmt.Sprintf("最早%s。", first.Format("2006-01-02")))
		}
	}
	if sale.Mode == ModeAuction {
		vf, vt := sale.Data.viewing()
		if err := rules.CheckViewing(sale.Params, s.days(), noticeAt, vf, vt, sale.StartAt); err != nil {
			return err
		}
	}
	if listing != nil {
		first := s.firstDay(sale.StartAt, *listing)
		if clock.Date(sale.EndAt).Before(first) {
			return apperr.Rule(apperr.Invalid, listing.Basis, "挂牌时间不得少于%s：挂牌自%s开始，截止时间最早可定在%s。", listing.Describe(),
				clock.Format(sale.StartAt), first.Format("2006-01-02")).WithField("end_at", fmt.Sprintf("最早%s。", first.Format("2006-01-02")))
		}
	}
	return nil
}

// schedule enqueues the job at the sale's next deadline.
func (s *Service) schedule(ctx context.Context, tx Tx, sale Sale) error {
	switch sale.Mode {
	case ModeListing:
		return s.enqueue(ctx, tx, jobs.AuctionCloseListing, sale.ID, sale.EndAt)
	case ModeAuction, ModeAscending:
		return s.enqueue(ctx, tx, jobs.AuctionStartTimed, sale.ID, sale.StartAt)
	case ModeSealed:
		return s.enqueue(ctx, tx, jobs.AuctionCloseSealed, sale.ID, sale.EndAt)
	}
	return nil
}

// announcement is the public content of an announcement entry.
func announcement(sale Sale, seller string) map[string]any {
	return map[string]any{"kind": sale.Kind, "mode": sale.Mode, "title": sale.Title, "seller": sale.SellerID, "seller_name": seller, "data": sale.Data,
		"eligibility": sale.Eligibility, "deposit": sale.Deposit, "start_price": sale.StartPrice, "increment": sale.Increment,
		"start_at": sale.StartAt, "end_at": sale.EndAt, "notice_at": sale.NoticeAt, "params": sale.Params}
}

// Announce publishes the sale's announcement (出让公告/信息披露公告) now,
// after checking the statutory periods: the notice before the start (land
// ≥ 20 days, mining ≥ 20 working days, auction ≥ 7 days, property
// disclosure ≥ 20 working days) and the listing period (≥ 10 working days
// by default), counted on the holiday calendar. It schedules the job at the
// sale's first deadline.
func (s *Service) Announce(ctx context.Context, actor party.Actor, saleID ids.ID) (Sale, error) {
	now := s.clock.Now()
	var sale Sale
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if sale, err = tx.LockSale(ctx, saleID); err != nil {
			return err
		}
		if !manages(actor, sale) {
			return apperr.Forbiddenf("只有出让人（转让方）或交易中心可以发布交易公告。")
		}
		if sale.Status != StatusDraft {
			return apperr.New(apperr.Conflict, "该交易已发布公告（状态：%s）。", sale.Status.Label())
		}
		if err := sale.input().validate(); err != nil {
			return err
		}
		if err := s.checkSchedule(now, sale); err != nil {
			return err
		}
		seller, err := tx.GetEntity(ctx, sale.SellerID)
		if err != nil {
			return err
		}
		sale.Status, sale.NoticeAt, sale.UpdatedAt = StatusAnnounced, now, now
		if err := tx.UpdateSale(ctx, &sale); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, actor, "auction.announced", sale, announcement(sale, seller.Name), nil); err != nil {
			return err
		}
		if err := event(ctx, tx, sale, EvAnnounced, now, state(sale, now)); err != nil {
			return err
		}
		return s.schedule(ctx, tx, sale)
	})
	return sale, err
}

// substantive reports whether changing a into b changes the substance of
// the announcement (anything but the title's wording).
func substantive(a, b SaleInput) bool {
	a.Title, b.Title = "", ""
	a.StartAt, a.EndAt, b.StartAt, b.EndAt = a.StartAt.UTC(), a.EndAt.UTC(), b.StartAt.UTC(), b.EndAt.UTC()
	aj, _ := json.Marshal(a.Data)
	bj, _ := json.Marshal(b.Data)
	a.Data, b.Data = Data{}, Data{}
	return !reflect.DeepEqual(a, b) || string(aj) != string(bj)
}

// ChangeAnnouncement changes a sale's announcement. A draft is simply
// edited. An announced sale may be changed until its start, with a reason;
// a change of substance (anything but the title's wording) restarts the
// notice period from now (RULES.md §4, §5: 内容变更的重新计算公告期), so the
// start must again be at least the full period away.
func (s *Service) ChangeAnnouncement(ctx context.Context, actor party.Actor, saleID ids.ID, in SaleInput, reason string) (Sale, error) {
	now := s.clock.Now()
	var sale Sale
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if sale, err = tx.LockSale(ctx, saleID); err != nil {
			return err
		}
		if !manages(actor, sale) {
			return apperr.Forbiddenf("只有出让人（转让方）或交易中心可以变更交易公告。")
		}
		in.Kind, in.Mode = sale.Kind, sale.Mode // fixed at creation
		if err := in.validate(); err != nil {
			return err
		}
		old := sale.input()
		if sale.Status == StatusDraft {
			sale.apply(in)
			sale.UpdatedAt = now
			if err := tx.UpdateSale(ctx, &sale); err != nil {
				return err
			}
			_, err := record(ctx, tx, now, actor, "auction.draft_changed", sale, map[string]any{"title": sale.Title}, nil)
			return err
		}
		if sale.Status != StatusAnnounced || !now.Before(sale.StartAt) {
			return apperr.Rule(apperr.Conflict, rules.BasisLO39, "交易已开始（状态：%s），不能再变更公告。", sale.Phase(now).Label())
		}
		if strings.TrimSpace(reason) == "" {
			return apperr.New(apperr.Invalid, "请写明变更公告的理由。").WithField("reason", "请填写理由")
		}
		restart := substantive(old, in)
		sale.apply(in)
		noticeAt := sale.NoticeAt
		if restart {
			noticeAt = now
		}
		if err := s.checkSchedule(noticeAt, sale); err != nil {
			return err
		}
		seller, err := tx.GetEntity(ctx, sale.SellerID)
		if err != nil {
			return err
		}
		sale.NoticeAt, sale.UpdatedAt = noticeAt, now
		if err := tx.UpdateSale(ctx, &sale); err != nil {
			return err
		}
		pub := announcement(sale, seller.Name)
		pub["reason"], pub["restarted"] = strings.TrimSpace(reason), restart
		if _, err := record(ctx, tx, now, actor, "auction.announcement_changed", sale, pub, nil); err != nil {
			return err
		}
		if err := event(ctx, tx, sale, EvChanged, now, state(sale, now)); err != nil {
			return err
		}
		if sale.StartAt.Equal(old.StartAt) && sale.EndAt.Equal(old.EndAt) {
			return nil
		}
		// The job at the old time finds the sale not yet due and waits.
		return s.schedule(ctx, tx, sale)
	})
	return sale, err
}

// SetReserve enters the reserve (底价) — by a user of the seller, no later
// than the lead before the close (rules.CheckReserveEntry). The amount is
// committed in the ledger (a commitment entry holding only the sale and the
// amount, revealed at the end) and kept on the sale row for the close; it
// appears in no view and no public entry before the end. A later entry
// replaces an earlier one; all are revealed.
func (s *Service) SetReserve(ctx context.Context, actor party.Actor, saleID ids.ID, amount money.Fen) error {
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		if !isSeller(actor, sale) {
			return apperr.Forbiddenf("底价由出让人（转让方）确定并录入。")
		}
		if sale.Mode == ModeAgreement {
			return apperr.Rule(apperr.Conflict, rules.BasisO32, "协议转让以挂牌价为最低价格，不另设底价。")
		}
		if sale.Status != StatusDraft && sale.Status != StatusAnnounced && sale.Status != StatusListing {
			return apperr.New(apperr.Conflict, "交易已进入%s阶段，不能再录入底价。", sale.Status.Label())
		}
		if at := sale.closeAt(); !at.IsZero() {
			if err := rules.CheckReserveEntry(sale.Params, now, at); err != nil {
				return err
			}
		}
		if amount <= 0 {
			return apperr.New(apperr.Invalid, "底价应大于零。").WithField("reserve", "底价应大于零。")
		}
		idx, err := commitSecret(ctx, tx, now, map[string]any{"what": "reserve", "sale": sale.Code, "sale_id": sale.ID, "reserve": amount, "seq": sale.Seq})
		if err != nil {
			return err
		}
		if err := tx.AddSaleReserve(ctx, Reserve{SaleID: sale.ID, Seq: sale.Seq, Amount: amount, LedgerIndex: idx, SetAt: now, SetBy: actor.UserID}); err != nil {
			return err
		}
		sale.Reserve, sale.HasReserve, sale.UpdatedAt = amount, true, now
		if err := tx.UpdateSale(ctx, &sale); err != nil {
			return err
		}
		_, err = record(ctx, tx, now, actor, "auction.reserve_committed", sale, map[string]any{"commitment": idx}, nil)
		return err
	})
}
