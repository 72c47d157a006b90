package tender

import (
	"context"
	"fmt"
	"ggzy/internal/scoring"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/rules"
)

// ProjectInput is what a principal or agency registers.
type ProjectInput struct {
	Name           string
	PrincipalUSCC  string // required when an agency registers the project
	AgencyUSCC     string // optional when the principal registers it
	StateFunded    bool
	Funding        string
	SupervisorDept string
	Description    string
	// Category: "" or Works; LandUse registers a land sale by tender (the
	// principal is the seller, supervised by 自然资源).
	Category Category
}

// Departments are the supervising departments of projects (自然资源 for
// land sales by tender).
var Departments = []string{"住建", "交通", "水利", "发改", "工信", "教育", "卫健", LandDept}

// CreateProject registers a project (项目登记).
func (s *Service) CreateProject(ctx context.Context, actor party.Actor, in ProjectInput) (Project, error) {
	if actor.Role != party.RolePrincipal && actor.Role != party.RoleAgency {
		return Project{}, apperr.Forbiddenf("只有招标人或招标代理机构可以登记项目。")
	}
	f := map[string]string{}
	switch in.Category {
	case "":
		in.Category = Works
	case LandUse:
		// A sale, not public money spent: TBR 55 does not apply; the award
		// follows LO39 art. 14 instead (DecideAward).
		in.StateFunded = false
		if in.SupervisorDept == "" {
			in.SupervisorDept = LandDept
		}
		if in.SupervisorDept != LandDept {
			f["supervisor_dept"] = "国有建设用地使用权招标出让由自然资源主管部门监督。"
		}
	case Works:
	default:
		f["category"] = "交易类别应为工程建设或国有建设用地使用权招标出让。"
	}
	in.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(in.Name); n < 4 || n > 100 {
		f["name"] = "项目名称应为4至100个字。"
	}
	if !contains(Departments, in.SupervisorDept) {
		f["supervisor_dept"] = "请选择行业监督部门：" + strings.Join(Departments, "、") + "。"
	}
	if err := apperr.Fields("项目信息有误，请按提示修改。", f); err != nil {
		return Project{}, err
	}
	now := s.clock.Now()
	var p Project
	err := s.store.WithTx(ctx, func(tx Tx) error {
		p = Project{ID: s.ids.New(now), Name: in.Name, Region: s.region, StateFunded: in.StateFunded, Funding: strings.TrimSpace(in.Funding),
			SupervisorDept: in.SupervisorDept, Description: strings.TrimSpace(in.Description), CreatedBy: actor.UserID, CreatedAt: now, Category: in.Category}
		switch actor.Role {
		case party.RolePrincipal:
			p.PrincipalID = actor.EntityID
			if in.AgencyUSCC != "" {
				ag, err := entityOfKind(ctx, tx, in.AgencyUSCC, party.KindAgency, "agency_uscc", "招标代理机构")
				if err != nil {
					return err
				}
				p.AgencyID = ag.ID
			}
		case party.RoleAgency:
			p.AgencyID = actor.EntityID
			pr, err := entityOfKind(ctx, tx, in.PrincipalUSCC, party.KindPrincipal, "principal_uscc", "招标人")
			if err != nil {
				return err
			}
			p.PrincipalID = pr.ID
		}
		seq, err := tx.NextSeq(ctx, "project:"+clock.Date(now).Format("2006"))
		if err != nil {
			return err
		}
		kind := "GC"
		if p.Category == LandUse {
			kind = "TDZB" // 土地招标, apart from the sales' TD codes
		}
		p.Code = fmt.Sprintf("%s-%s-%s-%04d", s.region, kind, clock.Date(now).Format("2006"), seq)
		if err := tx.CreateProject(ctx, p); err != nil {
			return err
		}
		_, err = record(ctx, tx, now, actor, "project.created", p.Code, map[string]any{
			"project": p.Code, "name": p.Name, "principal": p.PrincipalID, "agency": p.AgencyID,
			"state_funded": p.StateFunded, "supervisor_dept": p.SupervisorDept, "category": p.Category}, nil)
		return err
	})
	return p, err
}

func entityOfKind(ctx context.Context, tx Tx, uscc string, kind party.EntityKind, field, what string) (party.Entity, error) {
	uscc = party.NormalizeUSCC(uscc)
	if uscc == "" {
		return party.Entity{}, apperr.New(apperr.Invalid, "请填写%s的统一社会信用代码。", what).WithField(field, "必填。")
	}
	if err := party.ValidateUSCC(uscc); err != nil {
		return party.Entity{}, err
	}
	e, err := tx.GetEntityByUSCC(ctx, uscc)
	if apperr.Is(err, apperr.NotFound) {
		return party.Entity{}, apperr.New(apperr.Invalid, "统一社会信用代码 %s 尚未在平台登记为%s，请先完成主体登记。", uscc, what).WithField(field, "未登记。")
	}
	if err != nil {
		return party.Entity{}, err
	}
	if e.Kind != kind {
		return party.Entity{}, apperr.New(apperr.Invalid, "%s（%s）不是已登记的%s。", e.Name, uscc, what).WithField(field, "主体类型不符。")
	}
	return e, nil
}

// LotInput defines a 标段.
type LotInput struct {
	Name              string
	Procedure         Procedure
	Method            Method
	Estimate          money.Fen
	Ceiling           money.Fen
	Security          money.Fen
	CategoryCode      string
	Scoring           []ScoreItem
	CommitteeSize     int
	PrincipalReps     int
	AllowAlternatives bool
	// Land: the plot and start price, required on a land project's lots
	// (the estimate is then the start price).
	Land *Land
}

var categoryCode = regexp.MustCompile(`^[A-E][0-9]{2}([0-9]{2}){0,3}$`)

// DefaultScoring is a common comprehensive scoring table: price 60, technical 30, commercial 10.
func DefaultScoring() []ScoreItem {
	return []ScoreItem{
		{Key: "price", Name: "投标报价", Max: 6000, Price: true},
		{Key: "tech", Name: "施工组织设计", Max: 3000},
		{Key: "biz", Name: "项目管理机构及业绩", Max: 1000},
	}
}

// ValidateLot checks a lot definition against the rules; exported so forms
// can show every problem at once.
func (s *Service) ValidateLot(in LotInput) error {
	f := map[string]string{}
	var basis string
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n < 2 || n > 100 {
		f["name"] = "标段名称应为2至100个字。"
	}
	if in.Procedure != Open && in.Procedure != Invited {
		f["procedure"] = "请选择公开招标或邀请招标。"
	}
	if in.Land != nil {
		if b := validateLand(in, f); b != "" {
			basis = b
		}
	} else if in.Method != LowestPrice && in.Method != Comprehensive {
		f["method"] = "请选择评标办法（最高报价法仅适用于土地招标出让）。"
	}
	if in.Estimate <= 0 {
		f["estimate"] = "估算价应大于0。"
	}
	if in.Ceiling < 0 {
		f["ceiling"] = "最高投标限价不能为负数。"
	}
	if in.Ceiling > 0 && in.Estimate > 0 && in.Ceiling > in.Estimate*2 {
		f["ceiling"] = "最高投标限价明显高于估算价，请核对。"
	}
	if in.Security < 0 {
		f["security"] = "投标保证金不能为负数。"
	}
	capRule := s.rules.Get(rules.SecurityCap)
	// The 2 % cap is the engineering bid security's (TBR 26); a land
	// sale's deposit (竞买保证金) is what the notice sets.
	if in.Land == nil && in.Estimate > 0 && int64(in.Security)*10000 > int64(in.Estimate)*capRule.Value {
		f["security"] = fmt.Sprintf("投标保证金不得超过估算价的%s（最多%s）。", capRule.Describe(), money.Fen(int64(in.Estimate)*capRule.Value/10000))
		basis = capRule.Basis
	}
	if !categoryCode.MatchString(in.CategoryCode) {
		f["category_code"] = "专业分类代码格式为字母A–E加2至8位数字，如 A0801。"
	}
	minC := int(s.rules.Get(rules.CommitteeMin).Value)
	if in.CommitteeSize < minC || in.CommitteeSize%2 == 0 {
		f["committee_size"] = fmt.Sprintf("评标委员会成员应为%d人以上单数（%s）。", minC, s.rules.Get(rules.CommitteeMin).Basis)
		basis = s.rules.Get(rules.CommitteeMin).Basis
	} else if in.PrincipalReps < 0 || !expertsEnough(in.CommitteeSize, in.CommitteeSize-in.PrincipalReps, s.rules.Get(rules.ExpertShare).Value) {
		f["principal_reps"] = fmt.Sprintf("专家不得少于成员总数的三分之二：%d人的委员会中招标人代表最多%d人（%s）。",
			in.CommitteeSize, maxReps(in.CommitteeSize, s.rules.Get(rules.ExpertShare).Value), s.rules.Get(rules.ExpertShare).Basis)
		basis = s.rules.Get(rules.ExpertShare).Basis
	}
	if in.Method == Comprehensive {
		if msg := checkScoring(in.Scoring); msg != "" {
			f["scoring"] = msg
		} else {
			for _, it := range in.Scoring {
				if it.Price {
					if err := it.PriceRule(in.CategoryCode).Validate(); err != nil {
						e := apperr.As(err)
						f["scoring"], basis = e.Message, e.Basis
					}
				} else if it.Aggregate != "" && it.Aggregate != scoring.AggregateMean && it.Aggregate != scoring.AggregateTrimmedMean {
					f["scoring"] = fmt.Sprintf("评分项“%s”的汇总方式无效。", it.Name)
				}
			}
		}
	}
	if len(f) == 0 {
		return nil
	}
	return &apperr.Error{Code: apperr.Invalid, Message: "标段信息有误，请按提示修改。", Fields: f, Basis: basis}
}

func maxReps(size int, shareBP int64) int {
	r := 0
	for expertsEnough(size, size-(r+1), shareBP) {
		r++
	}
	return r
}

// expertsEnough reports whether experts out of size members reach a share
// given in basis points. A basis-point value is the share rounded to half a
// basis point (2/3 is written 6667), so the comparison allows that half point:
// 6 experts of 9 are exactly two thirds and enough.
func expertsEnough(size, experts int, shareBP int64) bool {
	return int64(experts)*20000 >= int64(size)*(2*shareBP-1)
}

func checkScoring(items []ScoreItem) string {
	var sum int64
	prices := 0
	keys := map[string]bool{}
	for _, it := range items {
		if it.Key == "" || keys[it.Key] || it.Max <= 0 || strings.TrimSpace(it.Name) == "" {
			return "评分表每项需有唯一代码、名称和大于0的分值。"
		}
		keys[it.Key] = true
		sum += it.Max
		if it.Price {
			prices++
		}
	}
	if prices != 1 {
		return "综合评估法评分表应有且只有一项价格分（由报价自动计算）。"
	}
	if sum != 10000 {
		return fmt.Sprintf("评分表各项分值合计应为100分，现为%s分。", points(sum))
	}
	return ""
}

// points renders a ×100 score as "12.34".
func points(v int64) string { return fmt.Sprintf("%d.%02d", v/100, abs(v%100)) }

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// AddLot adds a 标段 to a project (draft until the tender notice is published).
func (s *Service) AddLot(ctx context.Context, actor party.Actor, projectID ids.ID, in LotInput) (Lot, error) {
	if in.Land != nil {
		in.Estimate = in.Land.StartPrice
	}
	if in.Method == Comprehensive && len(in.Scoring) == 0 {
		in.Scoring = DefaultScoring()
		if in.Land != nil {
			in.Scoring = DefaultLandScoring()
		}
	}
	if err := s.ValidateLot(in); err != nil {
		return Lot{}, err
	}
	now := s.clock.Now()
	var l Lot
	err := s.store.WithTx(ctx, func(tx Tx) error {
		p, err := tx.GetProject(ctx, projectID)
		if err != nil {
			return err
		}
		if !manages(actor, p) {
			return apperr.Forbiddenf("只有本项目的招标人或其委托的代理机构可以设置标段。")
		}
		if (p.Category == LandUse) != (in.Land != nil) {
			if in.Land == nil {
				return apperr.New(apperr.Invalid, "国有建设用地使用权招标出让项目的标段须填写宗地信息和起始价。").WithField("land", "请填写宗地信息。")
			}
			return apperr.New(apperr.Invalid, "只有国有建设用地使用权招标出让项目的标段可以填写宗地信息。").WithField("land", "本项目不是土地招标出让项目。")
		}
		l, err = s.newLot(ctx, tx, p, in, now, "")
		if err != nil {
			return err
		}
		_, err = record(ctx, tx, now, actor, "lot.created", l.Code, map[string]any{
			"project": p.Code, "lot": l.Code, "name": l.Name, "procedure": l.Procedure, "method": l.Method,
			"estimate": l.Estimate, "ceiling": l.Ceiling, "security": l.Security, "category": l.CategoryCode, "land": l.Land}, nil)
		return err
	})
	return l, err
}

func (s *Service) newLot(ctx context.Context, tx Tx, p Project, in LotInput, now time.Time, retenderOf ids.ID) (Lot, error) {
	seq, err := tx.NextSeq(ctx, "lot:"+p.ID)
	if err != nil {
		return Lot{}, err
	}
	l := Lot{ID: s.ids.New(now), ProjectID: p.ID, Code: fmt.Sprintf("%s-%02d", p.Code, seq), Name: strings.TrimSpace(in.Name),
		Procedure: in.Procedure, Method: in.Method, Estimate: in.Estimate, Ceiling: in.Ceiling, Security: in.Security,
		CategoryCode: in.CategoryCode, Scoring: in.Scoring, CommitteeSize: in.CommitteeSize, PrincipalReps: in.PrincipalReps,
		AllowAlternatives: in.AllowAlternatives, Status: Draft, RetenderOf: retenderOf, CreatedAt: now, UpdatedAt: now, Land: in.Land}
	if in.Method != Comprehensive {
		l.Scoring = nil
	}
	return l, tx.CreateLot(ctx, l)
}

// manages reports whether actor runs project p (its principal or agency).
func manages(a party.Actor, p Project) bool {
	switch a.Role {
	case party.RolePrincipal:
		return a.EntityID != "" && a.EntityID == p.PrincipalID
	case party.RoleAgency:
		return a.EntityID != "" && a.EntityID == p.AgencyID
	}
	return false
}

func contains[T comparable](xs []T, x T) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
