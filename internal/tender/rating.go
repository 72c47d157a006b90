package tender

import (
	"context"
	"strings"

	"ggzy/internal/apperr"
	"ggzy/internal/expert"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
)

// RateExpert records the agency's or the supervisor's assessment of an
// expert's conduct on a lot once its evaluation is over (issue 4 §4). One
// rating per rater and lot; it is a ledger entry under the expert.
func (s *Service) RateExpert(ctx context.Context, actor party.Actor, lotID, expertID ids.ID, score int, comment string) error {
	if actor.Role != party.RoleSupervisor && actor.Role != party.RoleAgency {
		return apperr.Forbiddenf("评标专家的表现由本项目的招标代理机构或行政监督部门评价。")
	}
	if score < 1 || score > 5 {
		return apperr.New(apperr.Invalid, "评价应为1至5分。").WithField("score", "1至5分")
	}
	comment = strings.TrimSpace(comment)
	if score <= 2 && comment == "" {
		return apperr.New(apperr.Invalid, "评价为“较差”或“差”的，请写明具体情形。").WithField("comment", "请写明情形")
	}
	now := s.clock.Now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		l, p, err := lotAndProject(ctx, tx, lotID)
		if err != nil {
			return err
		}
		switch {
		case actor.Role == party.RoleSupervisor:
		case actor.Role == party.RoleAgency && actor.EntityID != "" && actor.EntityID == p.AgencyID:
		default:
			return apperr.Forbiddenf("评标专家的表现由本项目的招标代理机构或行政监督部门评价。")
		}
		if l.ReportAt.IsZero() {
			return apperr.New(apperr.Conflict, "评标结束后才能评价专家表现。")
		}
		ms, err := tx.ListMembers(ctx, l.ID)
		if err != nil {
			return err
		}
		seated := false
		for _, m := range ms {
			seated = seated || m.ExpertID == expertID && m.Kind == MemberExpert
		}
		if !seated {
			return apperr.NotFoundf("本标段评标委员会中的该专家")
		}
		r := expert.Rating{ExpertID: expertID, LotID: l.ID, LotCode: l.Code, ByUser: actor.UserID, ByRole: string(actor.Role), Score: score, Comment: comment, At: now}
		if err := tx.SaveRating(ctx, r); err != nil {
			return err
		}
		e, err := ledger.Seal(ledger.Draft{Type: "expert.rated", Subject: "expert:" + expertID,
			Public:  map[string]any{"expert": expertID, "lot": l.Code, "score": score, "role": string(actor.Role)},
			Private: map[string]any{"comment": comment, "actor": actor.UserID, "ip": actor.IP}}, now)
		if err != nil {
			return err
		}
		_, err = tx.AppendLedger(ctx, e)
		return err
	})
}

// LotRatings lists the ratings given on a lot: all of them for staff, the
// rater's own for the lot's agency.
func (s *Service) LotRatings(ctx context.Context, actor party.Actor, lotID ids.ID) ([]expert.Rating, error) {
	var out []expert.Rating
	err := s.store.Read(ctx, func(tx Tx) error {
		_, p, err := lotAndProject(ctx, tx, lotID)
		if err != nil {
			return err
		}
		own := actor.Role == party.RoleAgency && actor.EntityID != "" && actor.EntityID == p.AgencyID
		if !actor.IsStaff() && !own {
			return apperr.Forbiddenf("评价记录仅供本项目代理机构和交易中心、监督人员查看。")
		}
		rs, err := tx.ListLotRatings(ctx, lotID)
		if err != nil {
			return err
		}
		out = nil
		for _, r := range rs {
			if actor.IsStaff() || r.ByUser == actor.UserID {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// ExpertRecord is an expert's record for the operator: invitations,
// seats, declines, deviations flagged and ratings (issue 4 §4; the credit
// system will read the same).
func (s *Service) ExpertRecord(ctx context.Context, actor party.Actor, expertID ids.ID) (expert.Stats, []expert.Rating, error) {
	if !actor.IsStaff() {
		return expert.Stats{}, nil, apperr.Forbiddenf("专家履职记录仅供交易中心和监督人员查看。")
	}
	var st expert.Stats
	var rs []expert.Rating
	err := s.store.Read(ctx, func(tx Tx) error {
		e, err := tx.GetExpert(ctx, expertID)
		if err != nil {
			return err
		}
		invs, err := tx.ListInvitationsForUser(ctx, e.UserID)
		if err != nil {
			return err
		}
		lots := map[ids.ID]bool{}
		for _, iv := range invs {
			if iv.ExpertID != expertID {
				continue
			}
			st.Draws++
			switch iv.Status {
			case InvConfirmed, InvReplaced:
				st.Served++
				lots[iv.LotID] = true
			case InvDeclined, InvExpired:
				st.Declines++
			}
		}
		for lot := range lots {
			ds, err := tx.ListDeviations(ctx, lot)
			if err != nil {
				return err
			}
			ms, err := tx.ListMembers(ctx, lot)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if m.ExpertID != expertID {
					continue
				}
				for _, d := range ds {
					if d.MemberID == m.ID {
						st.Deviations++
					}
				}
			}
		}
		if rs, err = tx.ListRatings(ctx, expertID); err != nil {
			return err
		}
		sum := 0
		for _, r := range rs {
			sum += r.Score
		}
		st.Ratings = len(rs)
		if len(rs) > 0 {
			st.MeanRating = float64(sum) / float64(len(rs))
		}
		return nil
	})
	return st, rs, err
}
