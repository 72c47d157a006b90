package rules

import "ggzy/internal/apperr"

// LandUse is the use of a land plot, for its maximum term.
type LandUse string

const (
	LandResidential LandUse = "residential" // 居住用地
	LandIndustrial  LandUse = "industrial"  // 工业用地
	LandPublic      LandUse = "public"      // 教育、科技、文化、卫生、体育用地
	LandCommercial  LandUse = "commercial"  // 商业、旅游、娱乐用地
	LandOther       LandUse = "other"       // 综合或者其他用地
)

var landTerms = map[LandUse]struct {
	years int
	name  string
}{
	LandResidential: {70, "居住用地"},
	LandIndustrial:  {50, "工业用地"},
	LandPublic:      {50, "教育、科技、文化、卫生、体育用地"},
	LandCommercial:  {40, "商业、旅游、娱乐用地"},
	LandOther:       {50, "综合或者其他用地"},
}

// MaxLandTerm is the maximum term in years of a land use right granted for
// use (《城镇国有土地使用权出让和转让暂行条例》第十二条 [law]); ok is false for
// an unknown use.
func MaxLandTerm(use LandUse) (years int, ok bool) {
	t, ok := landTerms[use]
	return t.years, ok
}

// CheckLandTerm checks the term announced for a plot: 1 year up to the
// maximum for its use.
func CheckLandTerm(use LandUse, years int) error {
	t, ok := landTerms[use]
	if !ok {
		return apperr.New(apperr.Invalid, "土地用途「%s」不受支持，可选：居住、工业、教育科技文化卫生体育、商业旅游娱乐、综合或者其他用地。", use).
			WithField("use", "请选择土地用途。")
	}
	if years <= 0 {
		return apperr.New(apperr.Invalid, "出让年期应大于零，当前为%d年。", years).WithField("term", "出让年期应大于零。")
	}
	if years > t.years {
		return apperr.Rule(apperr.Invalid, BasisLandTerm, "%s的出让最高年限为%d年，当前为%d年。", t.name, t.years, years).
			WithField("term", "超过法定最高出让年限。")
	}
	return nil
}
