package api

import (
	"net/http"
	"time"

	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/tender"
)

// ---- the expert pool, the verifiable draw and invitations (issue 4)

type ExpertInput struct {
	Name         string   `json:"name"`
	IDNumber     string   `json:"id_number" doc:"18位居民身份证号码（存储，显示时脱敏）"`
	EmployerUSCC string   `json:"employer_uscc,omitempty" doc:"工作单位统一社会信用代码（已登记单位）"`
	EmployerName string   `json:"employer_name,omitempty"`
	Title        string   `json:"title" doc:"职称"`
	Senior       bool     `json:"senior" doc:"高级职称或同等专业水平"`
	FieldSince   int      `json:"field_since" doc:"开始从事本专业工作的年份"`
	Specialties  []string `json:"specialties" doc:"评标专业代码（专业分类标准）"`
	City         string   `json:"city" doc:"常住城市行政区划代码"`
	Contact      string   `json:"contact,omitempty"`
	Conflicts    []string `json:"conflicts,omitempty" doc:"申报的亲属或利害关系单位（主体ID）"`
	DeptStaffOf  string   `json:"dept_staff_of,omitempty" doc:"所在行政监督部门（如为其工作人员）"`
}

type Expert struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	IDNumber     string    `json:"id_number" doc:"脱敏显示"`
	EmployerID   string    `json:"employer_id,omitempty"`
	EmployerName string    `json:"employer_name"`
	Title        string    `json:"title"`
	Senior       bool      `json:"senior"`
	Years        int       `json:"years"`
	Age          int       `json:"age"`
	Specialties  []string  `json:"specialties"`
	City         string    `json:"city"`
	Via          string    `json:"via" doc:"self | employer"`
	Status       string    `json:"status" doc:"applied | active | rejected | suspended | blacklisted | exited"`
	StatusLabel  string    `json:"status_label"`
	StatusReason string    `json:"status_reason,omitempty"`
	StatusSource string    `json:"status_source,omitempty"`
	StatusUntil  time.Time `json:"status_until,omitzero"`
	UserID       string    `json:"user_id,omitempty"`
}

type ExpertEvent struct {
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	Type   string    `json:"type"`
	Label  string    `json:"label"`
	Status string    `json:"status"`
	Reason string    `json:"reason,omitempty"`
	Source string    `json:"source,omitempty"`
	Until  time.Time `json:"until,omitzero"`
	Ledger int64     `json:"ledger_index"`
}

type ExpertDetail struct {
	Expert  Expert        `json:"expert"`
	History []ExpertEvent `json:"history"`
}

type ReviewInput struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason,omitempty" doc:"不予入库时必填"`
	User    string `json:"user,omitempty" doc:"专家的平台登录用户名（本人申请时可省略）"`
}

type SanctionInput struct {
	Blacklist bool      `json:"blacklist" doc:"true 列入黑名单，false 暂停"`
	Reason    string    `json:"reason"`
	Source    string    `json:"source" doc:"依据：监督部门决定书文号、投诉处理结果等"`
	Until     time.Time `json:"until,omitzero" doc:"期限，省略为不定期"`
}

type ReasonInput struct {
	Reason string `json:"reason"`
}

type ExitInput struct {
	Kind   string `json:"kind" doc:"voluntary | assessment | age"`
	Reason string `json:"reason,omitempty"`
}

type Classification struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Level  int    `json:"level"`
	Parent string `json:"parent,omitempty"`
}

func expertDTO(e expert.Expert, now time.Time) Expert {
	sp := e.Specialties
	if sp == nil {
		sp = []string{}
	}
	return Expert{ID: e.ID, Name: e.Name, IDNumber: expert.MaskID(e.IDNumber), EmployerID: e.EmployerID, EmployerName: e.EmployerName,
		Title: e.Title, Senior: e.Senior, Years: e.Years(now), Age: e.Age(now), Specialties: sp, City: e.City, Via: e.Via,
		Status: string(e.Status), StatusLabel: e.Status.Label(), StatusReason: e.StatusReason, StatusSource: e.StatusSource, StatusUntil: e.StatusUntil, UserID: e.UserID}
}

func (in ExpertInput) domain() expert.Input {
	return expert.Input{Name: in.Name, IDNumber: in.IDNumber, EmployerUSCC: in.EmployerUSCC, EmployerName: in.EmployerName, Title: in.Title,
		Senior: in.Senior, FieldSince: in.FieldSince, Specialties: in.Specialties, City: in.City, Contact: in.Contact, Conflicts: in.Conflicts, DeptStaffOf: in.DeptStaffOf}
}

func (s *server) classification(c *call) (any, error) {
	out := []Classification{}
	for _, x := range s.d.Codes.All() {
		out = append(out, Classification{Code: x.Code, Name: x.Name, Level: x.Level, Parent: x.Parent})
	}
	return out, nil
}

func (s *server) listExperts(c *call) (any, error) {
	q := c.r.URL.Query()
	xs, err := s.d.Expert.List(c.ctx(), c.actor, expert.Filter{Status: expert.Status(q.Get("status")), Specialty: q.Get("specialty"), Limit: 1000})
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	return mapAll(xs, func(e expert.Expert) Expert { return expertDTO(e, now) }), nil
}

func (s *server) applyExpert(c *call) (any, error) {
	var in ExpertInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	e, err := s.d.Expert.Apply(c.ctx(), c.actor, in.domain())
	if err != nil {
		return nil, err
	}
	return expertDTO(e, s.d.Clock.Now()), nil
}

func (s *server) getExpert(c *call) (any, error) {
	e, evs, err := s.d.Expert.Get(c.ctx(), c.actor, c.r.PathValue("expertID"))
	if err != nil {
		return nil, err
	}
	out := ExpertDetail{Expert: expertDTO(e, s.d.Clock.Now()), History: []ExpertEvent{}}
	for _, ev := range evs {
		out.History = append(out.History, ExpertEvent{Seq: ev.Seq, At: ev.At, Type: ev.Type, Label: expert.EventLabel(ev.Type), Status: string(ev.Status),
			Reason: ev.Reason, Source: ev.Source, Until: ev.Until, Ledger: ev.Ledger})
	}
	return out, nil
}

func (s *server) reviewExpert(c *call) (any, error) {
	var in ReviewInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	var userID string
	if in.User != "" {
		u, err := s.d.Party.UserByUsername(c.ctx(), in.User)
		if err != nil {
			return nil, err
		}
		userID = u.ID
	}
	e, err := s.d.Expert.Review(c.ctx(), c.actor, c.r.PathValue("expertID"), in.Approve, in.Reason, userID)
	if err != nil {
		return nil, err
	}
	return expertDTO(e, s.d.Clock.Now()), nil
}

func (s *server) sanctionExpert(c *call) (any, error) {
	var in SanctionInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	e, err := s.d.Expert.Sanction(c.ctx(), c.actor, c.r.PathValue("expertID"), in.Blacklist, in.Reason, in.Source, in.Until)
	if err != nil {
		return nil, err
	}
	return expertDTO(e, s.d.Clock.Now()), nil
}

func (s *server) reinstateExpert(c *call) (any, error) {
	var in ReasonInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	e, err := s.d.Expert.Reinstate(c.ctx(), c.actor, c.r.PathValue("expertID"), in.Reason)
	if err != nil {
		return nil, err
	}
	return expertDTO(e, s.d.Clock.Now()), nil
}

func (s *server) exitExpert(c *call) (any, error) {
	var in ExitInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	e, err := s.d.Expert.Exit(c.ctx(), c.actor, c.r.PathValue("expertID"), in.Kind, in.Reason)
	if err != nil {
		return nil, err
	}
	return expertDTO(e, s.d.Clock.Now()), nil
}

// ---- draws

type DrawNeed struct {
	Specialty string `json:"specialty" doc:"专业代码"`
	Count     int    `json:"count" doc:"抽取人数"`
	Backups   int    `json:"backups,omitempty" doc:"备选人数"`
}

type DrawInput struct {
	Needs  []DrawNeed `json:"needs"`
	Remote bool       `json:"remote,omitempty" doc:"远程异地评标：回避项目所在城市的专家"`
	Reps   []string   `json:"reps,omitempty" doc:"招标人代表的用户名（首次抽取）"`
	Reason string     `json:"reason,omitempty" doc:"补充抽取的理由（第二次及以后必填，公开留痕）"`
}

type DrawExclusion struct {
	ExpertID string `json:"expert_id"`
	Code     string `json:"code"`
	Reason   string `json:"reason"`
}

type Draw struct {
	ID             string          `json:"id"`
	Attempt        int             `json:"attempt"`
	Status         string          `json:"status" doc:"requested | done | failed"`
	StatusLabel    string          `json:"status_label"`
	Remote         bool            `json:"remote"`
	Reason         string          `json:"reason,omitempty"`
	Needs          []DrawNeed      `json:"needs"`
	RequestDigest  string          `json:"request_digest"`
	PoolDigest     string          `json:"pool_digest"`
	PoolSize       int             `json:"pool_size"`
	RequestIndex   int64           `json:"request_index"`
	CheckpointSize int64           `json:"checkpoint_size,omitempty"`
	ResultDigest   string          `json:"result_digest,omitempty"`
	ResultIndex    int64           `json:"result_index,omitempty"`
	Failure        string          `json:"failure,omitempty"`
	Exclusions     []DrawExclusion `json:"exclusions"`
	CreatedAt      time.Time       `json:"created_at"`
	DoneAt         time.Time       `json:"done_at,omitzero"`
}

type Invitation struct {
	ID          string    `json:"id"`
	DrawID      string    `json:"draw_id"`
	LotID       string    `json:"lot_id"`
	LotCode     string    `json:"lot_code,omitempty"`
	LotName     string    `json:"lot_name,omitempty"`
	ExpertID    string    `json:"expert_id"`
	Name        string    `json:"name"`
	Specialty   string    `json:"specialty,omitempty"`
	Backup      bool      `json:"backup"`
	Status      string    `json:"status" doc:"standby | invited | confirmed | declined | expired | released | replaced"`
	StatusLabel string    `json:"status_label"`
	Deadline    time.Time `json:"deadline,omitzero"`
	RespondedAt time.Time `json:"responded_at,omitzero"`
	Reason      string    `json:"reason,omitempty"`
}

type LotDraws struct {
	Draws       []Draw       `json:"draws"`
	Invitations []Invitation `json:"invitations"`
}

type RespondInput struct {
	Accept  bool   `json:"accept"`
	Reason  string `json:"reason,omitempty" doc:"不能参加时必填"`
	Declare bool   `json:"declare,omitempty" doc:"回避声明：与本项目投标人、招标人、代理机构不存在应当回避的情形（确认参加时必须为 true）"`
}

func drawDTO(d tender.Draw) Draw {
	out := Draw{ID: d.ID, Attempt: d.Attempt, Status: string(d.Status), StatusLabel: d.Status.Label(), Remote: d.Remote, Reason: d.Reason,
		Needs: []DrawNeed{}, RequestDigest: d.RequestDigest, PoolDigest: d.PoolDigest, PoolSize: d.PoolSize, RequestIndex: d.RequestIndex,
		CheckpointSize: d.CheckpointSize, ResultDigest: d.ResultDigest, ResultIndex: d.ResultIndex, Failure: d.Failure, Exclusions: []DrawExclusion{},
		CreatedAt: d.CreatedAt, DoneAt: d.DoneAt}
	for _, n := range d.Request.Needs {
		out.Needs = append(out.Needs, DrawNeed{Specialty: n.Specialty, Count: n.Count, Backups: n.Backups})
	}
	if d.Result != nil {
		for _, x := range d.Result.Exclusions {
			out.Exclusions = append(out.Exclusions, DrawExclusion{ExpertID: x.ExpertID, Code: x.Code, Reason: x.Reason})
		}
	}
	return out
}

func invitationDTO(iv tender.Invitation) Invitation {
	return Invitation{ID: iv.ID, DrawID: iv.DrawID, LotID: iv.LotID, ExpertID: iv.ExpertID, Name: iv.Name, Backup: iv.Backup, Status: string(iv.Status),
		StatusLabel: iv.Status.Label(), Deadline: iv.Deadline, RespondedAt: iv.RespondedAt, Reason: iv.Reason}
}

func (s *server) requestDraw(c *call) (any, error) {
	var in DrawInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	di := tender.DrawInput{Remote: in.Remote, Reps: in.Reps, Reason: in.Reason}
	for _, n := range in.Needs {
		di.Needs = append(di.Needs, draw.Need{Specialty: n.Specialty, Count: n.Count, Backups: n.Backups})
	}
	d, err := s.d.Tender.RequestDraw(c.ctx(), c.actor, c.r.PathValue("id"), di, s.d.Party.UserByUsername)
	if err != nil {
		return nil, err
	}
	return drawDTO(d), nil
}

func (s *server) lotDraws(c *call) (any, error) {
	ds, invs, err := s.d.Tender.ListLotDraws(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return LotDraws{Draws: mapAll(ds, drawDTO), Invitations: mapAll(invs, invitationDTO)}, nil
}

func (s *server) drawProof(c *call) (any, error) {
	return s.d.Tender.Proof(c.ctx(), c.actor, c.r.PathValue("drawID"))
}

func (s *server) myInvitations(c *call) (any, error) {
	invs, lots, err := s.d.Tender.Invitations(c.ctx(), c.actor)
	if err != nil {
		return nil, err
	}
	return mapAll(invs, func(iv tender.Invitation) Invitation {
		d := invitationDTO(iv)
		d.LotCode, d.LotName = lots[iv.LotID].Code, lots[iv.LotID].Name
		return d
	}), nil
}

func (s *server) respondInvitation(c *call) (any, error) {
	var in RespondInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	iv, err := s.d.Tender.RespondInvitation(c.ctx(), c.actor, c.r.PathValue("invID"), in.Accept, in.Reason, in.Declare)
	if err != nil {
		return nil, err
	}
	return invitationDTO(iv), nil
}

func (s *server) expertRoutes() []route {
	return []route{
		{Method: "GET", Path: v1 + "/classification", Summary: "评标专家专业分类标准（代码与名称）", Tag: "experts", Resp: []Classification{}, Status: 200, h: s.classification},
		{Method: "GET", Path: v1 + "/experts", Summary: "专家库（交易中心、监督人员）", Tag: "experts", Auth: authRequired, Query: []param{
			{Name: "status", Type: "string", Doc: "按状态筛选"}, {Name: "specialty", Type: "string", Doc: "专业代码前缀"},
		}, Resp: []Expert{}, Status: 200, h: s.listExperts},
		{Method: "POST", Path: v1 + "/experts", Summary: "入库申请（专家本人，或工作单位推荐）", Tag: "experts", Auth: authRequired, Body: ExpertInput{}, Resp: Expert{}, Status: 201, h: s.applyExpert},
		{Method: "GET", Path: v1 + "/experts/{expertID}", Summary: "专家档案与履历（本人或工作人员）", Tag: "experts", Auth: authRequired, Resp: ExpertDetail{}, Status: 200, h: s.getExpert},
		{Method: "POST", Path: v1 + "/experts/{expertID}/review", Summary: "审核入库申请（交易中心）", Tag: "experts", Auth: authRequired, Body: ReviewInput{}, Resp: Expert{}, Status: 200, h: s.reviewExpert},
		{Method: "POST", Path: v1 + "/experts/{expertID}/sanction", Summary: "暂停或列入黑名单（依监督决定或投诉处理结果）", Tag: "experts", Auth: authRequired, Body: SanctionInput{}, Resp: Expert{}, Status: 200, h: s.sanctionExpert},
		{Method: "POST", Path: v1 + "/experts/{expertID}/reinstate", Summary: "解除暂停或黑名单（监督部门）", Tag: "experts", Auth: authRequired, Body: ReasonInput{}, Resp: Expert{}, Status: 200, h: s.reinstateExpert},
		{Method: "POST", Path: v1 + "/experts/{expertID}/exit", Summary: "出库（自愿、考核不合格、超龄）", Tag: "experts", Auth: authRequired, Body: ExitInput{}, Resp: Expert{}, Status: 200, h: s.exitExpert},

		{Method: "POST", Path: v1 + "/lots/{id}/draws", Summary: "提交专家抽取请求（交易中心；先承诺请求，再以其后的签名检查点为随机种子抽取）", Tag: "evaluation", Auth: authRequired,
			Body: DrawInput{}, Resp: Draw{}, Status: http.StatusAccepted, h: s.requestDraw},
		{Method: "GET", Path: v1 + "/lots/{id}/draws", Summary: "标段的全部抽取记录、回避情况和通知状态（交易中心、监督人员）", Tag: "evaluation", Auth: authRequired, Resp: LotDraws{}, Status: 200, h: s.lotDraws},
		{Method: "GET", Path: v1 + "/draws/{drawID}/proof", Summary: "抽取证明：请求、专家库快照、检查点和结果（ggzy verify-draw；评标结束后公开）", Tag: "evaluation",
			Resp: tender.DrawProof{}, Status: 200, h: s.drawProof},
		{Method: "GET", Path: v1 + "/invitations", Summary: "我的抽取通知（评标专家）", Tag: "evaluation", Auth: authRequired, Resp: []Invitation{}, Status: 200, h: s.myInvitations},
		{Method: "POST", Path: v1 + "/invitations/{invID}", Summary: "确认参加或拒绝（评标专家，在确认期限内）", Tag: "evaluation", Auth: authRequired, Body: RespondInput{}, Resp: Invitation{}, Status: 200, h: s.respondInvitation},
	}
}
