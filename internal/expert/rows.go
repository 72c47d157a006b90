package expert

import (
	"fmt"

	"ggzy/internal/rules"
)

// BasisPlatform marks a pool parameter that is the platform's own setting
// (RULES.md §11 [assumption]): local rules may tighten it.
const BasisPlatform = "本平台评标专家库管理规则（可配置）"

// Rows lists the policy's numbers for users (the public rules page, GET
// /api/v1/rules): the values the review and the draw check, with their
// bases. The age cap is a local figure quoted second-hand (RULES.md §7).
func (p Policy) Rows() []rules.Row {
	freq := "不限"
	if p.MaxDraws > 0 {
		freq = fmt.Sprintf("%s内不超过%d次", rules.DescribeDuration(p.Window), p.MaxDraws)
	}
	return []rules.Row{
		{Key: "expert.years_min", Text: "评标专家入库条件：从事相关专业领域工作满规定年限，并具有高级职称或者同等专业水平",
			Value: fmt.Sprintf("%d年", p.YearsMin), Basis: BasisQualification, Standing: rules.Law},
		{Key: "expert.age_max", Text: "评标专家年龄上限：达到该年龄的专家不再被抽取，并退出专家库",
			Value: fmt.Sprintf("%d周岁", p.AgeMax), Basis: BasisAge, Standing: rules.Secondary},
		{Key: "expert.draw_cap", Text: "抽取频次限制：同一专家在一段时间内被抽取的次数达到上限的，暂不再被抽取",
			Value: freq, Basis: BasisPlatform, Standing: rules.Assumption},
		{Key: "expert.confirm_within", Text: "受邀专家确认或谢绝参加评标的时限，逾期视为不参加，由候补专家递补",
			Value: rules.DescribeDuration(p.ConfirmWithin), Basis: BasisPlatform, Standing: rules.Assumption},
	}
}
