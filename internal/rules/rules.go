// Package rules holds every statutory number the platform enforces, with its
// legal basis, in one table (RULES.md §2, §11). Code that enforces a rule reads
// it from here and quotes Basis in the error it raises, so the number a user is
// told and the number the code checks cannot drift apart.
package rules

import (
	"fmt"
	"sort"
)

// Unit of a rule's value.
type Unit string

const (
	CalendarDays Unit = "cd"    // 日
	WorkingDays  Unit = "wd"    // 工作日
	BasisPoints  Unit = "bp"    // 1/10000 of a base amount
	Count        Unit = "count" // persons, bids, candidates
)

// Key names a rule.
type Key string

// Engineering construction tender (工程建设项目招标) rules, RULES.md §2.
const (
	BidPeriodMin           Key = "tender.bid_period_min"             // 文件发出→投标截止
	DocsSaleMin            Key = "tender.docs_sale_min"              // 文件发售期
	ClarificationLead      Key = "tender.clarification_lead"         // 澄清修改距截止
	DocObjectionLead       Key = "tender.doc_objection_lead"         // 对招标文件异议距截止
	ObjectionAnswer        Key = "tender.objection_answer"           // 异议答复
	SecurityCap            Key = "tender.security_cap"               // 投标保证金上限
	MinBids                Key = "tender.min_bids"                   // 开标最少投标人
	CommitteeMin           Key = "tender.committee_min"              // 评标委员会人数
	ExpertShare            Key = "tender.committee_expert_share"     // 专家占比（万分比）
	CandidatesMax          Key = "tender.candidates_max"             // 中标候选人
	PublicityStartMax      Key = "tender.publicity_start_max"        // 公示开始
	PublicityMin           Key = "tender.publicity_min"              // 公示期
	PublicityObjectionAns  Key = "tender.publicity_objection_answer" // 公示期异议答复
	ContractMax            Key = "tender.contract_max"               // 中标通知→合同
	ContractReportMax      Key = "tender.contract_report_max"        // 合同→备案
	PerformanceSecurityCap Key = "tender.performance_security_cap"   // 履约保证金上限
	SecurityRefundMax      Key = "tender.security_refund_max"        // 保证金退还
	ComplaintAfterKnowing  Key = "tender.complaint_after_knowing"    // 投诉时限
	InviteesMin            Key = "tender.invitees_min"               // 邀请招标受邀人数
	ExtensionShareDivisor  Key = "tender.extension_share_divisor"    // 延长评标时间：超过成员的 1/N
)

// Rule is one statutory number.
type Rule struct {
	Key   Key
	Value int64
	Unit  Unit
	Basis string // 《招标投标法》第二十四条
	Text  string // what the rule says, in Chinese
}

// Describe renders "value unit" in Chinese, e.g. "20日".
func (r Rule) Describe() string {
	switch r.Unit {
	case CalendarDays:
		return fmt.Sprintf("%d日", r.Value)
	case WorkingDays:
		return fmt.Sprintf("%d个工作日", r.Value)
	case BasisPoints:
		if r.Value%100 == 0 {
			return fmt.Sprintf("%d%%", r.Value/100)
		}
		return fmt.Sprintf("%d.%02d%%", r.Value/100, r.Value%100)
	default:
		return fmt.Sprintf("%d", r.Value)
	}
}

// Set is the rules in force for one category × procedure.
type Set struct {
	Name  string
	rules map[Key]Rule
}

// Get returns the rule; an unknown key is a programming error.
func (s Set) Get(k Key) Rule {
	r, ok := s.rules[k]
	if !ok {
		panic("rules: unknown key " + string(k))
	}
	return r
}

// All lists the rules sorted by key (for the public rules page and the API).
func (s Set) All() []Rule {
	out := make([]Rule, 0, len(s.rules))
	for _, r := range s.rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// With returns a copy with one value overridden (a deployment's audited
// override). Overrides may only make a floor higher or a cap lower, never
// weaken the statute: that is checked here.
func (s Set) With(k Key, v int64) (Set, error) {
	r := s.Get(k)
	if floor[k] && v < r.Value || !floor[k] && v > r.Value {
		return s, fmt.Errorf("rules: %s may not be relaxed below the statutory %s (%s)", k, r.Describe(), r.Basis)
	}
	n := Set{Name: s.Name, rules: make(map[Key]Rule, len(s.rules))}
	for key, rule := range s.rules {
		n.rules[key] = rule
	}
	r.Value = v
	n.rules[k] = r
	return n, nil
}

// floor marks rules whose value is a minimum (others are maxima).
var floor = map[Key]bool{
	BidPeriodMin: true, DocsSaleMin: true, ClarificationLead: true, DocObjectionLead: true,
	MinBids: true, CommitteeMin: true, InviteesMin: true, ExpertShare: true, PublicityMin: true,
}

// EngineeringTender is the rule set for 依法必须招标的工程建设项目 (open and invited tender).
func EngineeringTender() Set {
	list := []Rule{
		{BidPeriodMin, 20, CalendarDays, "《招标投标法》第二十四条", "自招标文件开始发出之日起至投标截止之日止，最短不得少于20日"},
		{DocsSaleMin, 5, CalendarDays, "《招标投标法实施条例》第十六条", "招标文件的发售期不得少于5日"},
		{ClarificationLead, 15, CalendarDays, "《招标投标法实施条例》第二十一条", "澄清或者修改可能影响投标文件编制的，应在投标截止时间至少15日前发出，不足15日的应当顺延投标截止时间"},
		{DocObjectionLead, 10, CalendarDays, "《招标投标法实施条例》第二十二条", "对招标文件有异议的，应当在投标截止时间10日前提出"},
		{ObjectionAnswer, 3, CalendarDays, "《招标投标法实施条例》第二十二条、第五十四条", "招标人应当自收到异议之日起3日内作出答复；作出答复前，应当暂停招标投标活动"},
		{SecurityCap, 200, BasisPoints, "《招标投标法实施条例》第二十六条", "投标保证金不得超过招标项目估算价的2%"},
		{MinBids, 3, Count, "《招标投标法》第二十八条、《招标投标法实施条例》第四十四条", "投标人少于3个的，不得开标，招标人应当重新招标"},
		{CommitteeMin, 5, Count, "《招标投标法》第三十七条", "评标委员会成员人数为5人以上单数"},
		{ExpertShare, 6667, BasisPoints, "《招标投标法》第三十七条", "技术、经济等方面的专家不得少于成员总数的三分之二"},
		{ExtensionShareDivisor, 3, Count, "《招标投标法实施条例》第四十八条", "超过三分之一的评标委员会成员认为评标时间不够的，招标人应当适当延长（现行值为分母：超过成员总数的 1/3）"},
		{CandidatesMax, 3, Count, "《招标投标法实施条例》第五十三条", "评标委员会推荐的中标候选人应当不超过3个，并标明排序"},
		{PublicityStartMax, 3, CalendarDays, "《招标投标法实施条例》第五十四条", "招标人应当自收到评标报告之日起3日内公示中标候选人"},
		{PublicityMin, 3, CalendarDays, "《招标投标法实施条例》第五十四条", "中标候选人公示期不得少于3日"},
		{PublicityObjectionAns, 3, CalendarDays, "《招标投标法实施条例》第五十四条", "招标人应当自收到异议之日起3日内作出答复；作出答复前，应当暂停招标投标活动"},
		{ContractMax, 30, CalendarDays, "《招标投标法》第四十六条", "招标人和中标人应当自中标通知书发出之日起30日内订立书面合同"},
		{ContractReportMax, 15, CalendarDays, "《招标投标法》第四十七条", "招标人应当自确定中标人之日起15日内向有关行政监督部门提交招标投标情况的书面报告"},
		{PerformanceSecurityCap, 1000, BasisPoints, "《招标投标法实施条例》第五十八条", "履约保证金不得超过中标合同金额的10%"},
		{SecurityRefundMax, 5, CalendarDays, "《招标投标法实施条例》第三十五条、第五十七条", "投标保证金应当自撤回通知或书面合同签订后5日内退还"},
		{InviteesMin, 3, Count, "《招标投标法》第十七条", "采用邀请招标方式的，应当向三个以上具备承担招标项目能力、资信良好的特定的法人或者其他组织发出投标邀请书"},
		{ComplaintAfterKnowing, 10, CalendarDays, "《招标投标法实施条例》第六十条", "投诉应当自知道或者应当知道之日起10日内提出"},
	}
	s := Set{Name: "工程建设项目招标", rules: map[Key]Rule{}}
	for _, r := range list {
		s.rules[r.Key] = r
	}
	return s
}
