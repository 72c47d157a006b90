package tender

import (
	"context"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
)

// LotView is everything about a lot that one actor may see. Whatever the
// actor may not see is left empty here, in the domain, so no interface can
// leak it by accident (招标投标法第二十二条: before the opening nobody on the
// principal's side learns who or how many obtained documents or bid).
type LotView struct {
	Project        Project
	Principal      party.Entity
	Agency         party.Entity
	Lot            Lot
	Notices        []Notice
	Documents      []Document
	Clarifications []Clarification
	Objections     []Objection
	Opening        *Opening
	Report         *Report
	Award          *Award
	Contract       *Contract
	Warnings       []Warning
	Committee      []Member // after the evaluation, or to the members themselves
	Bids           []Bid    // opened bids, to the committee and after the opening to managers and staff
	Access         []DocumentAccess
	AccessNames    map[ids.ID]string // entity names of Access
	Invitees       []party.Entity    // managers and staff only

	CanManage bool
	IsMember  bool
	MyMember  *Member
	MySheet   *ScoreSheet
	Invited   bool // the bidder may take part (open tender: always)
	MyAccess  bool
	MyDeposit *Deposit
	MyBid     *Bid
	MyReceipt *Receipt
	Retender  *Lot // the re-tender of this failed lot
	// CustodiansDone are the custodians who submitted their shares (public
	// progress of the decryption; the custody set itself is public).
	CustodiansDone []ids.ID
	Now            time.Time
	EarliestCl     time.Time // earliest lawful deadline for a clarification issued now
	// Reserve is a land lot's reserve (底价), to everyone once the result is
	// known and the commitment revealed; nil before, and for works.
	Reserve *LandReserve
}

// Opened reports whether the bids are open (or the tender failed at the deadline).
func (v LotView) Opened() bool { return v.Opening != nil }

// ViewLot returns actor's view of a lot.
func (s *Service) ViewLot(ctx context.Context, actor party.Actor, lotID ids.ID) (LotView, error) {
	now := s.clock.Now()
	var v LotView
	err := s.store.Read(ctx, func(tx Tx) error {
		l, p, err := lotAndProject(ctx, tx, lotID)
		if err != nil {
			return err
		}
		v = LotView{Project: p, Lot: l, Now: now, CanManage: manages(actor, p)}
		if v.Principal, err = tx.GetEntity(ctx, p.PrincipalID); err != nil {
			return err
		}
		if v.Reserve, err = landReserveView(ctx, tx, l); err != nil {
			return err
		}
		if p.AgencyID != "" {
			if v.Agency, err = tx.GetEntity(ctx, p.AgencyID); err != nil {
				return err
			}
		}
		staff := actor.IsStaff()
		inv, err := tx.ListInvitees(ctx, l.ID)
		if err != nil {
			return err
		}
		v.Invited = l.Procedure == Open || contains(inv, actor.EntityID)
		if l.Status == Draft && !v.CanManage && !staff {
			return apperr.NotFoundf("标段")
		}
		if l.Procedure == Invited && !v.CanManage && !staff && !(actor.Role == party.RoleBidder && v.Invited) && l.Status == Bidding {
			return apperr.NotFoundf("标段")
		}
		if v.CanManage || staff {
			for _, id := range inv {
				e, err := tx.GetEntity(ctx, id)
				if err != nil {
					return err
				}
				v.Invitees = append(v.Invitees, e)
			}
		}
		notices, _, err := tx.ListNotices(ctx, NoticeFilter{LotID: l.ID, SortAsc: true, Limit: 100})
		if err != nil {
			return err
		}
		for _, n := range notices {
			if n.Public || v.CanManage || staff || v.Invited {
				v.Notices = append(v.Notices, n)
			}
		}
		if v.Documents, err = tx.ListDocuments(ctx, l.ID); err != nil {
			return err
		}
		if v.Clarifications, err = tx.ListClarifications(ctx, l.ID); err != nil {
			return err
		}
		if l.Custody != nil && l.Status != Draft && l.Status != Bidding {
			if v.CustodiansDone, err = tx.ListShareCustodians(ctx, l.ID); err != nil {
				return err
			}
		}
		op, err := tx.GetOpening(ctx, l.ID)
		if err == nil {
			v.Opening = &op
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		objs, err := tx.ListObjections(ctx, l.ID)
		if err != nil {
			return err
		}
		for _, o := range objs {
			switch {
			case o.EntityID == actor.EntityID && actor.EntityID != "":
				v.Objections = append(v.Objections, o)
			case v.CanManage || staff:
				if o.Stage == ObjectDocuments && v.Opening == nil {
					o.EntityID = "" // the objector obtained the documents: secret until the opening
				}
				v.Objections = append(v.Objections, o)
			}
		}
		members, err := tx.ListMembers(ctx, l.ID)
		if err != nil {
			return err
		}
		for i := range members {
			if members[i].UserID == actor.UserID && actor.UserID != "" {
				v.IsMember, v.MyMember = true, &members[i]
			}
		}
		rep, err := tx.GetReport(ctx, l.ID)
		if err == nil {
			if v.CanManage || staff || v.IsMember {
				v.Report = &rep
			}
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		// The committee's names are secret until the award is decided
		// (《招标投标法》第三十七条), or the tender failed at evaluation; the
		// members themselves and the trading centre that ran the draw know them.
		settled := l.Status == Awarded || l.Status == Contracted || (l.Status == Failed && !l.ReportAt.IsZero())
		knows := settled || v.IsMember || actor.Role == party.RoleOperator || actor.Role == party.RoleAuditor
		if knows {
			v.Committee = members
		}
		if v.Report != nil && !knows && !v.CanManage {
			// The tenderer receives the signed report; nobody else learns the names early.
			r := *v.Report
			r.Members = nil
			v.Report = &r
		}
		if v.Opening != nil && (v.CanManage || staff || v.IsMember) {
			bids, err := tx.ListBids(ctx, l.ID)
			if err != nil {
				return err
			}
			for _, b := range evaluable(bids) {
				b.Content = nil
				v.Bids = append(v.Bids, b)
			}
			if v.CanManage || staff {
				if v.Access, err = tx.ListAccess(ctx, l.ID); err != nil {
					return err
				}
				v.AccessNames = map[ids.ID]string{}
				for _, a := range v.Access {
					e, err := tx.GetEntity(ctx, a.EntityID)
					if err != nil {
						return err
					}
					v.AccessNames[a.EntityID] = e.Name
				}
			}
		}
		if v.IsMember {
			sheets, err := tx.ListSheets(ctx, l.ID)
			if err != nil {
				return err
			}
			for i := range sheets {
				if sheets[i].MemberID == v.MyMember.ID {
					v.MySheet = &sheets[i]
				}
			}
		}
		if a, err := tx.GetAward(ctx, l.ID); err == nil {
			v.Award = &a
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if c, err := tx.GetContract(ctx, l.ID); err == nil {
			v.Contract = &c
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if v.CanManage || staff {
			if v.Warnings, err = tx.ListWarnings(ctx, l.ID); err != nil {
				return err
			}
		}
		if actor.Role == party.RoleBidder && actor.EntityID != "" {
			if v.MyAccess, err = tx.HasAccess(ctx, l.ID, actor.EntityID); err != nil {
				return err
			}
			if d, err := tx.GetDeposit(ctx, l.ID, actor.EntityID); err == nil {
				v.MyDeposit = &d
			} else if !apperr.Is(err, apperr.NotFound) {
				return err
			}
			if b, err := tx.GetBidByEntity(ctx, l.ID, actor.EntityID); err == nil {
				v.MyBid = &b
				r := Receipt{BidID: b.ID, LotID: l.ID, LotCode: l.Code, EntityID: b.EntityID, Version: b.Version, ContentHash: b.ContentHash, SubmittedAt: b.SubmittedAt, LedgerIndex: b.ReceiptSeq, Withdrawn: b.Status == BidWithdrawn}
				v.MyReceipt = &r
			} else if !apperr.Is(err, apperr.NotFound) {
				return err
			}
		}
		if l.Status == Failed {
			lots, err := tx.ListLots(ctx, LotFilter{ProjectID: p.ID})
			if err != nil {
				return err
			}
			for i := range lots {
				if lots[i].RetenderOf == l.ID {
					v.Retender = &lots[i]
				}
			}
		}
		if l.Status == Bidding {
			v.EarliestCl = s.EarliestClarificationDeadline(now, l)
		}
		return nil
	})
	return v, err
}

// ProjectView is a project with the lots an actor may see.
type ProjectView struct {
	Project   Project
	CanManage bool // the actor runs this project (its principal or agency)
	Principal party.Entity
	Agency    party.Entity
	Lots      []LotView
}

// ViewProject returns a project with every visible lot.
func (s *Service) ViewProject(ctx context.Context, actor party.Actor, projectID ids.ID) (ProjectView, error) {
	var lots []Lot
	var pv ProjectView
	err := s.store.Read(ctx, func(tx Tx) error {
		p, err := tx.GetProject(ctx, projectID)
		if err != nil {
			return err
		}
		pv.Project, pv.CanManage = p, manages(actor, p)
		lots, err = tx.ListLots(ctx, LotFilter{ProjectID: p.ID})
		return err
	})
	if err != nil {
		return pv, err
	}
	for _, l := range lots {
		v, err := s.ViewLot(ctx, actor, l.ID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return pv, err
		}
		pv.Principal, pv.Agency = v.Principal, v.Agency
		pv.Lots = append(pv.Lots, v)
	}
	if len(pv.Lots) == 0 && !manages(actor, pv.Project) && !actor.IsStaff() {
		return pv, apperr.NotFoundf("项目")
	}
	return pv, nil
}

// Notices lists notices; the public sees public ones only.
func (s *Service) Notices(ctx context.Context, actor party.Actor, f NoticeFilter) ([]Notice, int, error) {
	if !actor.IsStaff() {
		f.PublicOnly = true
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	var out []Notice
	var total int
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, total, err = tx.ListNotices(ctx, f)
		return err
	})
	return out, total, err
}

// Notice returns one notice visible to actor.
func (s *Service) Notice(ctx context.Context, actor party.Actor, id ids.ID) (Notice, error) {
	var n Notice
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if n, err = tx.GetNotice(ctx, id); err != nil {
			return err
		}
		if n.Public || actor.IsStaff() {
			return nil
		}
		// A non-public notice (an invitation) is visible to the lot's invitees and managers.
		p, err := tx.GetProject(ctx, n.ProjectID)
		if err != nil {
			return err
		}
		inv, err := tx.ListInvitees(ctx, n.LotID)
		if err != nil {
			return err
		}
		if manages(actor, p) || (actor.EntityID != "" && contains(inv, actor.EntityID)) {
			return nil
		}
		return apperr.NotFoundf("公告")
	})
	return n, err
}

// ConsoleLots lists the lots an actor works on: managers their projects',
// bidders those they took documents for or were invited to, experts their
// committees', staff all.
func (s *Service) ConsoleLots(ctx context.Context, actor party.Actor) ([]Lot, error) {
	var out []Lot
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		switch {
		case actor.Role == party.RolePrincipal || actor.Role == party.RoleAgency:
			out, err = tx.ListLots(ctx, LotFilter{EntityID: actor.EntityID})
		case actor.IsStaff() || actor.Role == party.RoleObserver:
			out, err = tx.ListLots(ctx, LotFilter{Limit: 500})
		case actor.Role == party.RoleExpert:
			idsList, err2 := tx.ListLotsForMember(ctx, actor.UserID)
			if err2 != nil {
				return err2
			}
			for _, id := range idsList {
				l, err2 := tx.GetLot(ctx, id)
				if err2 != nil {
					return err2
				}
				out = append(out, l)
			}
		case actor.Role == party.RoleBidder:
			// Its own lots (documents obtained or invited), whatever their
			// number or age, and every open tender now in bidding.
			mine, err2 := tx.ListLots(ctx, LotFilter{Participant: actor.EntityID, Published: true})
			if err2 != nil {
				return err2
			}
			open, err2 := tx.ListLots(ctx, LotFilter{Status: Bidding})
			if err2 != nil {
				return err2
			}
			seen := map[ids.ID]bool{}
			for _, l := range mine {
				seen[l.ID] = true
				out = append(out, l)
			}
			for _, l := range open {
				if l.Procedure == Open && !seen[l.ID] {
					out = append(out, l)
				}
			}
		}
		return err
	})
	return out, err
}

// Timeline returns the public ledger entries of a lot (the record of every
// action). Confidential entries are not tied to a lot in public, by design.
func (s *Service) Timeline(ctx context.Context, lotCode string) ([]ledger.Entry, error) {
	var out []ledger.Entry
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListLedger(ctx, lotCode, 0, 500)
		return err
	})
	for i := range out {
		out[i].Private, out[i].Salt = nil, ""
	}
	return out, err
}

// Warnings lists warnings for supervisors and operators.
func (s *Service) Warnings(ctx context.Context, actor party.Actor) ([]Warning, error) {
	if !actor.IsStaff() {
		return nil, apperr.Forbiddenf("预警信息仅向交易中心和监督部门开放。")
	}
	var out []Warning
	err := s.store.Read(ctx, func(tx Tx) error {
		all, err := tx.ListWarnings(ctx, "")
		if err != nil || actor.Role != party.RoleSupervisor {
			out = all
			return err
		}
		// A supervising department sees the warnings of its own category only.
		depts := map[ids.ID]string{}
		for _, w := range all {
			if _, ok := depts[w.LotID]; !ok {
				_, p, err := lotAndProject(ctx, tx, w.LotID)
				if err != nil {
					return err
				}
				depts[w.LotID] = p.SupervisorDept
			}
			if depts[w.LotID] == actor.Department {
				out = append(out, w)
			}
		}
		return nil
	})
	return out, err
}

// Document returns a tender document for download. Its name and SM3 hash are
// public with the notice; its content goes only to those who obtained the
// documents (so every bidder's download is the recorded 获取招标文件 that
// nobody else may learn of before the opening), the project's managers, the
// committee and staff.
func (s *Service) Document(ctx context.Context, actor party.Actor, lotID, docID ids.ID) (Document, error) {
	v, err := s.ViewLot(ctx, actor, lotID)
	if err != nil {
		return Document{}, err
	}
	for _, d := range v.Documents {
		if d.ID != docID {
			continue
		}
		if v.CanManage || v.IsMember || v.MyAccess || actor.IsStaff() {
			return d, nil
		}
		if actor.Role == party.RoleBidder {
			return Document{}, apperr.New(apperr.Forbidden, "请先在投标人工作台“获取招标文件”，获取后即可下载。")
		}
		return Document{}, apperr.New(apperr.Forbidden, "招标文件向获取文件的潜在投标人提供；公众可查看文件名称和SM3校验值。")
	}
	return Document{}, apperr.NotFoundf("招标文件")
}

// ManagedProjects lists the projects an actor runs as principal or agency,
// newest first (a project without lots yet is still the manager's work).
func (s *Service) ManagedProjects(ctx context.Context, actor party.Actor) ([]Project, error) {
	if (actor.Role != party.RolePrincipal && actor.Role != party.RoleAgency) || actor.EntityID == "" {
		return nil, nil
	}
	var out []Project
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListProjects(ctx, actor.EntityID)
		return err
	})
	return out, err
}

// CheckDocumentUpload tells, before a file is stored, whether actor may add a
// tender document to the lot now (so refused uploads leave no file behind).
func (s *Service) CheckDocumentUpload(ctx context.Context, actor party.Actor, lotID ids.ID) error {
	return s.store.Read(ctx, func(tx Tx) error {
		_, _, err := managedLot(ctx, tx, actor, lotID, "上传招标文件", Draft, "招标公告已发布，招标文件的修改请通过“澄清修改”发出。")
		return err
	})
}

// CheckBidUpload tells, before an attachment is stored, whether actor may
// bid on the lot now.
func (s *Service) CheckBidUpload(ctx context.Context, actor party.Actor, lotID ids.ID) error {
	now := s.clock.Now()
	return s.store.Read(ctx, func(tx Tx) error {
		_, err := s.biddable(ctx, tx, actor, lotID, now)
		return err
	})
}

// BidAttachment returns one attachment of a bid for download: to the bidder
// itself at any time, and after the opening to the committee, the project's
// managers and staff (never before the opening, when not even its existence
// may be known to them).
func (s *Service) BidAttachment(ctx context.Context, actor party.Actor, lotID, bidID ids.ID, hash string) (BidFile, error) {
	v, err := s.ViewLot(ctx, actor, lotID)
	if err != nil {
		return BidFile{}, err
	}
	var files []BidFile
	if v.MyBid != nil && v.MyBid.ID == bidID {
		files = v.MyBid.Files
	}
	for _, b := range v.Bids {
		if b.ID == bidID {
			files = b.Files
		}
	}
	for _, f := range files {
		if f.Hash == hash {
			return f, nil
		}
	}
	return BidFile{}, apperr.NotFoundf("投标附件")
}

// LotCard is a lot with its project, for lists.
type LotCard struct {
	Lot     Lot
	Project Project
}

// PublicLots lists published lots for portal lists (home page, notice rows)
// in a few queries instead of one full view per row. Drafts never appear;
// an invited tender in bidding appears only to staff, so the public does not
// learn of an invitation it cannot see.
func (s *Service) PublicLots(ctx context.Context, actor party.Actor, f LotFilter) ([]LotCard, error) {
	f.Published = true
	var out []LotCard
	err := s.store.Read(ctx, func(tx Tx) error {
		lots, err := tx.ListLots(ctx, f)
		if err != nil {
			return err
		}
		projects := map[ids.ID]Project{}
		for _, l := range lots {
			if l.Procedure == Invited && l.Status == Bidding && !actor.IsStaff() {
				continue
			}
			p, ok := projects[l.ProjectID]
			if !ok {
				if p, err = tx.GetProject(ctx, l.ProjectID); err != nil {
					return err
				}
				projects[l.ProjectID] = p
			}
			out = append(out, LotCard{Lot: l, Project: p})
		}
		return nil
	})
	return out, err
}
