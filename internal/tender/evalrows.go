package tender

import (
	"fmt"

	"ggzy/internal/rules"
	"ggzy/internal/scoring"
)

// basisRoomPlatform marks an evaluation-room parameter that is the
// platform's own setting (RULES.md §11 [assumption]).
const basisRoomPlatform = "本平台评标室规则（可配置）"

// EvalPolicy returns the evaluation room's parameters in force.
func (s *Service) EvalPolicy() EvalPolicy { return s.eval }

// Rows lists the room's numbers for users (the public rules page, GET
// /api/v1/rules), with the bases the room quotes when it applies them.
// The extension trigger (more than a third of the members) is the
// statute's, in the rules table (rules.ExtensionShareDivisor); the length
// of each extension is the platform's.
func (p EvalPolicy) Rows() []rules.Row {
	return []rules.Row{
		{Key: "eval.duration", Text: "评标计划时长：评标开始后按此时长确定计划结束时间",
			Value: rules.DescribeDuration(p.Duration), Basis: basisRoomPlatform, Standing: rules.Assumption},
		{Key: "eval.extension", Text: "评标时间延长：超过三分之一的评标委员会成员认为评标时间不够的，评标时间每次延长",
			Value: rules.DescribeDuration(p.Extension), Basis: scoring.BasisExtension + "（延长的时长：" + basisRoomPlatform + "）", Standing: rules.Assumption},
		{Key: "eval.deviation", Text: "评分偏离：成员的主观评分偏离全体成员平均分超过该比例的，应当书面说明理由",
			Value: fmt.Sprintf("%d%%", p.DeviationPct), Basis: basisDeviation, Standing: rules.Assumption},
		{Key: "eval.wait_before", Text: "远程异地评标故障（评标开始前）：等待修复的时限，超时由招标人决定继续评标或者重新组织",
			Value: rules.DescribeDuration(p.WaitBefore), Basis: basisRemote, Standing: rules.Secondary},
		{Key: "eval.wait_during", Text: "远程异地评标故障（评标过程中）：修复时限，超时封存已有评审材料并重新组建评标委员会",
			Value: rules.DescribeDuration(p.WaitDuring), Basis: basisRemote, Standing: rules.Secondary},
	}
}
