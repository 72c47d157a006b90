package api

import (
	"time"

	"ggzy/internal/tender"
)

// ---- the evaluation room (issue 4 §3) and ratings (§4)

type RoomMember struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	Chair       bool      `json:"chair"`
	SubmittedAt time.Time `json:"submitted_at,omitzero" doc:"评审意见提交时间（进度）"`
}

type RoomDeviation struct {
	MemberID    string `json:"member_id"`
	BidID       string `json:"bid_id"`
	Item        string `json:"item"`
	Score       int64  `json:"score"`
	Mean        int64  `json:"mean"`
	Pct         int64  `json:"pct" doc:"偏离百分比×100"`
	Explanation string `json:"explanation,omitempty"`
}

type Room struct {
	LotID       string          `json:"lot_id"`
	Status      string          `json:"status" doc:"waiting | running | explaining | interrupted | decision | finished"`
	StatusLabel string          `json:"status_label"`
	Remote      bool            `json:"remote"`
	StartedAt   time.Time       `json:"started_at,omitzero"`
	EndsAt      time.Time       `json:"ends_at,omitzero"`
	Extensions  int             `json:"extensions"`
	Chair       string          `json:"chair,omitempty"`
	Failure     string          `json:"failure,omitempty"`
	ResumeBy    time.Time       `json:"resume_by,omitzero"`
	Members     []RoomMember    `json:"members"`
	MySheet     *Sheet          `json:"my_sheet,omitempty"`
	Sheets      []Sheet         `json:"sheets" doc:"其他成员的评审意见：本人提交后可见"`
	Deviations  []RoomDeviation `json:"deviations"`
	ReadOnly    bool            `json:"read_only"`
	ServerTime  time.Time       `json:"server_time"`
}

type SheetDigestOut struct {
	Digest string `json:"digest" doc:"评审意见摘要（十六进制 SM3），以本人评审签名私钥对其32字节作 SM2 签名"`
}

type VoteInput struct {
	Kind  string `json:"kind" doc:"chair（推选主任委员）| extend（认为评标时间不够）"`
	Value string `json:"value,omitempty" doc:"推选的成员 ID"`
}

type ExplainInput struct {
	BidID       string `json:"bid_id"`
	Item        string `json:"item"`
	Explanation string `json:"explanation"`
}

type FailureInput struct {
	Failure string `json:"failure" doc:"故障情况"`
}

type DecisionInput struct {
	Proceed bool   `json:"proceed" doc:"true 继续评标；false 重新组建评标委员会"`
	Reason  string `json:"reason"`
}

type RatingInput struct {
	ExpertID string `json:"expert_id"`
	Score    int    `json:"score" doc:"1（差）至 5（优秀）"`
	Comment  string `json:"comment,omitempty"`
}

type ExpertRecord struct {
	Draws      int      `json:"draws"`
	Served     int      `json:"served"`
	Declines   int      `json:"declines"`
	Deviations int      `json:"deviations"`
	Ratings    []Rating `json:"ratings"`
	MeanRating float64  `json:"mean_rating"`
}

type Rating struct {
	LotCode string    `json:"lot_code"`
	ByRole  string    `json:"by_role"`
	Score   int       `json:"score"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

func roomDTO(v tender.RoomView, now time.Time) Room {
	r := v.Room
	out := Room{LotID: r.LotID, Status: string(r.Status), StatusLabel: r.Status.Label(), Remote: r.Remote, StartedAt: r.StartedAt, EndsAt: r.EndsAt,
		Extensions: r.Extensions, Chair: r.Chair, Failure: r.Failure, ResumeBy: r.ResumeBy, Members: []RoomMember{}, MySheet: sheetDTO(v.MySheet),
		Sheets: []Sheet{}, Deviations: []RoomDeviation{}, ReadOnly: v.ReadOnly, ServerTime: now}
	for _, m := range v.Members {
		out.Members = append(out.Members, RoomMember{ID: m.ID, Kind: string(m.Kind), Name: m.Name, Chair: m.Chair, SubmittedAt: v.Submitted[m.ID]})
	}
	for i := range v.Sheets {
		out.Sheets = append(out.Sheets, *sheetDTO(&v.Sheets[i]))
	}
	for _, d := range v.Deviations {
		out.Deviations = append(out.Deviations, RoomDeviation{MemberID: d.MemberID, BidID: d.BidID, Item: d.Item, Score: d.Score, Mean: d.Mean, Pct: d.Pct, Explanation: d.Explanation})
	}
	return out
}

func (s *server) getRoom(c *call) (any, error) {
	v, err := s.d.Tender.ViewRoom(c.ctx(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return roomDTO(v, s.d.Clock.Now()), nil
}

// roomAfter answers a room action with the room as the actor now sees it.
func (s *server) roomAfter(c *call, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return s.getRoom(c)
}

func (s *server) startRoom(c *call) (any, error) {
	_, err := s.d.Tender.StartEvaluation(c.ctx(), c.actor, c.r.PathValue("id"))
	return s.roomAfter(c, err)
}

func (s *server) voteRoom(c *call) (any, error) {
	var in VoteInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	_, err := s.d.Tender.Vote(c.ctx(), c.actor, c.r.PathValue("id"), in.Kind, in.Value)
	return s.roomAfter(c, err)
}

func (s *server) explainRoom(c *call) (any, error) {
	var in ExplainInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	return s.roomAfter(c, s.d.Tender.ExplainDeviation(c.ctx(), c.actor, c.r.PathValue("id"), in.BidID, in.Item, in.Explanation))
}

func (s *server) failRoom(c *call) (any, error) {
	var in FailureInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	_, err := s.d.Tender.DeclareFailure(c.ctx(), c.actor, c.r.PathValue("id"), in.Failure)
	return s.roomAfter(c, err)
}

func (s *server) resumeRoom(c *call) (any, error) {
	_, err := s.d.Tender.Resume(c.ctx(), c.actor, c.r.PathValue("id"))
	return s.roomAfter(c, err)
}

func (s *server) decideRoom(c *call) (any, error) {
	var in DecisionInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	_, err := s.d.Tender.DecideAfterFailure(c.ctx(), c.actor, c.r.PathValue("id"), in.Proceed, in.Reason)
	if err != nil {
		return nil, err
	}
	return map[string]bool{"ok": true}, nil
}

func (s *server) replaceMember(c *call) (any, error) {
	var in ReasonInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	return s.roomAfter(c, s.d.Tender.ReplaceMember(c.ctx(), c.actor, c.r.PathValue("id"), c.r.PathValue("memberID"), in.Reason))
}

func (s *server) rateExpert(c *call) (any, error) {
	var in RatingInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	if err := s.d.Tender.RateExpert(c.ctx(), c.actor, c.r.PathValue("id"), in.ExpertID, in.Score, in.Comment); err != nil {
		return nil, err
	}
	return map[string]bool{"ok": true}, nil
}

func (s *server) expertRecord(c *call) (any, error) {
	st, rs, err := s.d.Tender.ExpertRecord(c.ctx(), c.actor, c.r.PathValue("expertID"))
	if err != nil {
		return nil, err
	}
	out := ExpertRecord{Draws: st.Draws, Served: st.Served, Declines: st.Declines, Deviations: st.Deviations, MeanRating: st.MeanRating, Ratings: []Rating{}}
	for _, r := range rs {
		out.Ratings = append(out.Ratings, Rating{LotCode: r.LotCode, ByRole: r.ByRole, Score: r.Score, Comment: r.Comment, At: r.At})
	}
	return out, nil
}

func (s *server) roomRoutes() []route {
	lot := func(p string) string { return v1 + "/lots/{id}" + p }
	return []route{
		{Method: "GET", Path: lot("/room"), Summary: "评标室：状态、成员进度、本人评审意见；本人提交后可见其他成员的意见（成员；监督人员只读）", Tag: "evaluation", Auth: authRequired, Resp: Room{}, Status: 200, h: s.getRoom},
		{Method: "POST", Path: lot("/sheet/digest"), Summary: "计算评审意见的签名摘要（成员；也可按 tender.SheetDigest 的规范自行计算）", Tag: "evaluation", Auth: authRequired,
			Body: SheetInput{}, Resp: SheetDigestOut{}, Status: 200, h: s.sheetDigest},
		{Method: "POST", Path: lot("/room/start"), Summary: "宣布开始评标（交易中心）", Tag: "evaluation", Auth: authRequired, Resp: Room{}, Status: 200, h: s.startRoom},
		{Method: "POST", Path: lot("/room/votes"), Summary: "推选主任委员，或表示评标时间不够（超过三分之一成员即延长，条例第四十八条）", Tag: "evaluation", Auth: authRequired, Body: VoteInput{}, Resp: Room{}, Status: 200, h: s.voteRoom},
		{Method: "POST", Path: lot("/room/deviations"), Summary: "书面说明评分偏离（本人）", Tag: "evaluation", Auth: authRequired, Body: ExplainInput{}, Resp: Room{}, Status: 200, h: s.explainRoom},
		{Method: "POST", Path: lot("/room/failure"), Summary: "登记系统或网络故障（交易中心；开始前等待2小时，评标中4小时）", Tag: "evaluation", Auth: authRequired, Body: FailureInput{}, Resp: Room{}, Status: 200, h: s.failRoom},
		{Method: "POST", Path: lot("/room/resume"), Summary: "故障排除后恢复评标（交易中心）", Tag: "evaluation", Auth: authRequired, Resp: Room{}, Status: 200, h: s.resumeRoom},
		{Method: "POST", Path: lot("/room/decision"), Summary: "开始前故障超时后的决定（招标人）", Tag: "evaluation", Auth: authRequired, Body: DecisionInput{}, Resp: map[string]bool{}, Status: 200, h: s.decideRoom},
		{Method: "POST", Path: lot("/members/{memberID}/replace"), Summary: "更换评标专家：其评审意见作废，由补充抽取的专家重新评审（交易中心）", Tag: "evaluation", Auth: authRequired, Body: ReasonInput{}, Resp: Room{}, Status: 200, h: s.replaceMember},
		{Method: "POST", Path: lot("/ratings"), Summary: "评价评标专家的表现（招标代理机构、监督部门；评标结束后）", Tag: "experts", Auth: authRequired, Body: RatingInput{}, Resp: map[string]bool{}, Status: 200, h: s.rateExpert},
		{Method: "GET", Path: v1 + "/experts/{expertID}/record", Summary: "专家履职记录：抽取、确认、拒绝、评分偏离、评价（交易中心、监督人员）", Tag: "experts", Auth: authRequired, Resp: ExpertRecord{}, Status: 200, h: s.expertRecord},
	}
}
