package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/auction"
	"ggzy/internal/clock"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/rules"
	"ggzy/internal/tender"
)

func (s *server) funcs() template.FuncMap {
	return template.FuncMap{
		// rule quotes a statutory number and its basis from the rules table,
		// so pages never restate the law on their own.
		"rule":    func(k string) rules.Rule { return s.d.Tender.Rules().Get(rules.Key(k)) },
		"money":   func(f money.Fen) string { return f.String() },
		"capital": func(f money.Fen) string { return f.Capital() },
		"yuan":    func(f money.Fen) string { return f.Plain() },
		"ft":      fmtTime,
		"ftsec":   fmtSeconds,
		"fdate":   fmtDate,
		"dtlocal": dtLocal,
		"countdown": func(t time.Time) countdown {
			return makeCountdown(s.d.Clock.Now(), t)
		},
		"badge": func(l any) template.HTML {
			switch x := l.(type) {
			case tender.Lot:
				return statusBadge(x, s.d.Clock.Now())
			case *tender.Lot:
				if x != nil {
					return statusBadge(*x, s.d.Clock.Now())
				}
			case tender.DrawStatus:
				return badgeHTML(drawStatusInfo(x))
			case tender.InvitationStatus:
				return badgeHTML(invStatusInfo(x))
			case expert.Status:
				return badgeHTML(expertStatusInfo(x))
			case tender.RoomStatus:
				return badgeHTML(roomStatusInfo(x))
			}
			return ""
		},
		// code is a specialty code with its name from the classification.
		"code":       func(c string) string { return s.codes().Label(c) },
		"maskID":     expert.MaskID,
		"poolEvent":  expert.EventLabel,
		"exitLabel":  expert.ExitLabel,
		"exclusion":  exclusionLabel,
		"ledgerHref": ledgerHref,
		"kindBadge":  kindBadge,
		"mark":       mark,
		"region":     regionName,
		"size":       humanSize,
		"short": func(h string) string {
			if len(h) > 16 {
				return h[:16] + "…"
			}
			return h
		},
		"event":     eventLabel,
		"points":    points,
		"roleLabel": func(r party.Role) string { return r.Label() },
		"bidStatus": bidStatusLabel,
		"stage": func(st tender.ObjectionStage) string {
			if st == tender.ObjectPublicity {
				return "对评标结果"
			}
			return "对招标文件"
		},
		"add":       func(a, b int) int { return a + b },
		"isZero":    func(t time.Time) bool { return t.IsZero() },
		"join":      strings.Join,
		"hasSuffix": strings.HasSuffix,
		"deref":     func(b *tender.BidContent) tender.BidContent { return *b },
		// openingOf gives the "opening" partial its lot's kind: the stored
		// record does not carry it, and a land record has other columns.
		"openingOf": func(o *tender.Opening, land bool) openingView { return openingView{Opening: o, Land: land} },
		"fieldID":   func(form, field string) string { return form + "-" + field },
		"levelText": levelName,
		// Sales (issue 5).
		"stageLabel": stageLabel,
		"reasonText": auction.ReasonText,
		"landUse":    landUseName,
		"area":       area,
		// asset is a static file's URL with its content version.
		"asset": func(name string) string { return s.assets.url(name) },
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return clock.Format(t)
}

// fmtSeconds is a time to the second, for live bidding.
func fmtSeconds(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(clock.Shanghai).Format("2006-01-02 15:04:05")
}

// stageLabel names the stage of an offer.
func stageLabel(st auction.Stage) string {
	switch st {
	case auction.StageListing:
		return "挂牌报价"
	case auction.StageTimed:
		return "限时竞价"
	case auction.StageSealed:
		return "一次报价"
	case auction.StageAgreement:
		return "协议转让"
	}
	return string(st)
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(clock.Shanghai).Format("2006-01-02")
}

func dtLocal(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(clock.Shanghai).Format("2006-01-02T15:04")
}

// countdown is the remaining time next to a deadline (UI.md §2.8.3).
type countdown struct {
	Text  string
	Class string // "" | "soon" (< 24 h) | "urgent" (< 1 h) | "past"
}

func makeCountdown(now, t time.Time) countdown {
	if t.IsZero() {
		return countdown{}
	}
	d := t.Sub(now)
	if d <= 0 {
		return countdown{Text: "已截止", Class: "past"}
	}
	days := int(d / (24 * time.Hour))
	hours := int(d%(24*time.Hour)) / int(time.Hour)
	mins := int(d%time.Hour) / int(time.Minute)
	switch {
	case d < time.Hour:
		if mins < 1 {
			return countdown{Text: "剩不足 1 分钟", Class: "urgent"}
		}
		return countdown{Text: fmt.Sprintf("剩 %d 分钟", mins), Class: "urgent"}
	case d < 24*time.Hour:
		return countdown{Text: fmt.Sprintf("剩 %d 小时 %d 分", hours, mins), Class: "soon"}
	default:
		return countdown{Text: fmt.Sprintf("剩 %d 天 %d 小时", days, hours)}
	}
}

// statusInfo is a lot's displayed status: text, colour class and icon (UI.md §2.5).
type statusInfo struct{ Text, Class, Icon string }

func lotStatus(l tender.Lot, now time.Time) statusInfo {
	if l.Suspended && (l.Status == tender.Bidding || l.Status == tender.Publicity) {
		return statusInfo{"暂停（异议处理中）", "st-paused", "❚❚"}
	}
	switch l.Status {
	case tender.Draft:
		return statusInfo{"未发布", "st-pending", "○"}
	case tender.Bidding:
		if d := l.BidDeadline.Sub(now); d > 0 && d < 24*time.Hour {
			return statusInfo{"即将截止", "st-soon", "▲"}
		}
		if !now.Before(l.BidDeadline) {
			return statusInfo{"已截止待开标", "st-eval", "◆"}
		}
		return statusInfo{"投标中", "st-open", "●"}
	case tender.Decrypting:
		if l.Stalled {
			return statusInfo{"解密停滞", "st-paused", "❚❚"}
		}
		return statusInfo{"开标解密中", "st-eval", "◆"}
	case tender.Evaluating:
		return statusInfo{"评标中", "st-eval", "◆"}
	case tender.Publicity:
		return statusInfo{"公示中", "st-public", "◉"}
	case tender.Awarded:
		return statusInfo{"已定标", "st-done", "✓"}
	case tender.Contracted:
		return statusInfo{"已签约", "st-done", "✓"}
	case tender.Failed:
		return statusInfo{"流标", "st-failed", "✕"}
	}
	return statusInfo{l.Status.Label(), "st-archived", "■"}
}

func statusBadge(l tender.Lot, now time.Time) template.HTML {
	return badgeHTML(lotStatus(l, now))
}

func badgeHTML(si statusInfo) template.HTML {
	return template.HTML(fmt.Sprintf(`<span class="badge %s"><span class="badge-icon" aria-hidden="true">%s</span>%s</span>`,
		si.Class, template.HTMLEscapeString(si.Icon), template.HTMLEscapeString(si.Text)))
}

// drawStatusInfo: a draw attempt's status (UI.md §2.5; red only for a failure).
func drawStatusInfo(st tender.DrawStatus) statusInfo {
	switch st {
	case tender.DrawRequested:
		return statusInfo{st.Label(), "st-eval", "◆"}
	case tender.DrawDone:
		return statusInfo{st.Label(), "st-done", "✓"}
	case tender.DrawFailed:
		return statusInfo{st.Label(), "st-failed", "✕"}
	}
	return statusInfo{st.Label(), "st-archived", "■"}
}

// invStatusInfo: a drawn expert's seat.
func invStatusInfo(st tender.InvitationStatus) statusInfo {
	switch st {
	case tender.InvInvited:
		return statusInfo{st.Label(), "st-soon", "▲"}
	case tender.InvConfirmed:
		return statusInfo{st.Label(), "st-done", "✓"}
	case tender.InvDeclined:
		return statusInfo{st.Label(), "st-pending", "○"}
	case tender.InvExpired:
		return statusInfo{st.Label(), "st-paused", "❚❚"}
	case tender.InvStandby:
		return statusInfo{st.Label(), "st-open", "●"}
	}
	return statusInfo{st.Label(), "st-archived", "■"} // released, replaced
}

// expertStatusInfo: an expert's standing in the pool.
func expertStatusInfo(st expert.Status) statusInfo {
	switch st {
	case expert.Applied:
		return statusInfo{st.Label(), "st-open", "●"}
	case expert.Active:
		return statusInfo{st.Label(), "st-done", "✓"}
	case expert.Suspended:
		return statusInfo{st.Label(), "st-paused", "❚❚"}
	case expert.Blacklisted:
		return statusInfo{st.Label(), "st-failed", "✕"}
	}
	return statusInfo{st.Label(), "st-archived", "■"} // rejected, exited
}

// roomStatusInfo: the evaluation room's state (UI.md §2.5: 评标中 violet,
// 暂停 orange, finished green; red is kept for failures).
func roomStatusInfo(st tender.RoomStatus) statusInfo {
	switch st {
	case tender.RoomWaiting:
		return statusInfo{st.Label(), "st-pending", "○"}
	case tender.RoomRunning:
		return statusInfo{st.Label(), "st-eval", "◆"}
	case tender.RoomExplaining:
		return statusInfo{st.Label(), "st-soon", "▲"}
	case tender.RoomInterrupted, tender.RoomDecision:
		return statusInfo{st.Label(), "st-paused", "❚❚"}
	case tender.RoomFinished:
		return statusInfo{st.Label(), "st-done", "✓"}
	}
	return statusInfo{st.Label(), "st-archived", "■"}
}

// exclusionLabel names a recusal rule briefly (the reason gives the basis).
func exclusionLabel(code string) string {
	switch code {
	case draw.CodeEmployerIsParty:
		return "工作单位为本标段当事人"
	case draw.CodeSharedLegalRep:
		return "工作单位与当事人法定代表人相同"
	case draw.CodeControl:
		return "工作单位与当事人存在控制关系"
	case draw.CodeDeclared:
		return "申报的亲属或利害关系"
	case draw.CodeSupervisorStaff:
		return "行政监督部门工作人员"
	case draw.CodeExited:
		return "已出库或超龄"
	case draw.CodeBlacklisted:
		return "列入黑名单"
	case draw.CodeSuspended:
		return "暂停抽取期间"
	case draw.CodeUnknownStatus:
		return "库内状态不明"
	case draw.CodeFrequency:
		return "抽取次数超过上限"
	case draw.CodeLocal:
		return "远程异地评标：项目所在地专家"
	}
	return code
}

// ledgerHref is the public ledger entry at index i (the JSON API; the web
// has no page of its own for one entry).
func ledgerHref(i int64) string {
	return "/api/v1/ledger/entries?start=" + strconv.FormatInt(i, 10) + "&end=" + strconv.FormatInt(i+1, 10)
}

func kindBadge(k tender.NoticeKind) template.HTML {
	return template.HTML(fmt.Sprintf(`<span class="kind kind-%s">%s</span>`, template.HTMLEscapeString(string(k)), template.HTMLEscapeString(k.Label())))
}

// mark escapes text and wraps each case-insensitive occurrence of q in <mark>.
func mark(text, q string) template.HTML {
	q = strings.TrimSpace(q)
	if q == "" {
		return template.HTML(template.HTMLEscapeString(text))
	}
	lt, lq := strings.ToLower(text), strings.ToLower(q)
	if len(lt) != len(text) {
		// Lower-casing changed byte lengths (rare scripts): match exactly.
		lt, lq = text, q
	}
	var b strings.Builder
	i := 0
	for {
		j := strings.Index(lt[i:], lq)
		if j < 0 {
			break
		}
		b.WriteString(template.HTMLEscapeString(text[i : i+j]))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(text[i+j : i+j+len(lq)]))
		b.WriteString("</mark>")
		i += j + len(lq)
	}
	b.WriteString(template.HTMLEscapeString(text[i:]))
	return template.HTML(b.String())
}

// regions are the Guangxi divisions this platform shows by name (GB/T 2260).
var regions = []struct{ Code, Name string }{
	{"450000", "广西壮族自治区"}, {"450100", "南宁市"}, {"450200", "柳州市"}, {"450300", "桂林市"}, {"450400", "梧州市"},
	{"450500", "北海市"}, {"450600", "防城港市"}, {"450700", "钦州市"}, {"450800", "贵港市"}, {"450900", "玉林市"},
	{"451000", "百色市"}, {"451100", "贺州市"}, {"451200", "河池市"}, {"451300", "来宾市"}, {"451400", "崇左市"},
}

func regionName(code string) string {
	for _, r := range regions {
		if r.Code == code {
			return r.Name
		}
	}
	if code == "" {
		return "—"
	}
	return code
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d 字节", n)
}

func points(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

func bidStatusLabel(s tender.BidStatus) string {
	switch s {
	case tender.BidSubmitted:
		return "已递交"
	case tender.BidWithdrawn:
		return "已撤回"
	case tender.BidOpened:
		return "已开启"
	case tender.BidRevoked:
		return "解密失败，按撤销处理"
	case tender.BidRejected:
		return "否决"
	}
	return string(s)
}

var events = map[string]string{
	"project.created":                 "项目登记",
	"lot.created":                     "设立标段",
	"document.uploaded":               "上传招标文件",
	"tender.published":                "发布招标公告",
	"tender.clarified":                "发布澄清修改",
	"objection.filed":                 "收到异议",
	"objection.answered":              "答复异议",
	"tender.opened":                   "开标",
	"tender.failed":                   "流标（投标人不足）",
	"evaluation.draw_requested":       "提交专家抽取请求（请求与专家库快照已承诺）",
	"evaluation.draw_done":            "完成专家抽取（以其后的签名检查点为随机种子）",
	"evaluation.draw_failed":          "专家抽取失败（符合条件的专家不足）",
	"evaluation.invitation_confirmed": "抽中专家确认参加",
	"evaluation.invitation_declined":  "抽中专家不能参加",
	"evaluation.invitation_expired":   "抽中专家逾期未确认",
	"evaluation.backup_invited":       "通知备选专家递补",
	"evaluation.committee_formed":     "组建评标委员会",
	// The evaluation room (issue 4 §3).
	"evaluation.started":             "评标开始",
	"evaluation.chair_vote":          "评委推选主任委员",
	"evaluation.chair_elected":       "推选评标委员会主任委员",
	"evaluation.time_insufficient":   "评标委员会成员认为评标时间不足",
	"evaluation.extended":            "评标时间不足，延长评标时间",
	"evaluation.deviations_flagged":  "评分偏离超过限度，待说明",
	"evaluation.deviation_explained": "评委书面说明评分偏离",
	"evaluation.interrupted":         "评标中断（系统或网络故障）",
	"evaluation.resumed":             "评标恢复",
	"evaluation.failure_timeout":     "故障超过时限",
	"evaluation.principal_decided":   "招标人决定继续评标",
	"evaluation.reconstituted":       "重新组建评标委员会",
	"evaluation.member_replaced":     "更换评标委员会成员",
	"evaluation.member_added":        "补充评标委员会成员",
	"evaluation.sheet_submitted":     "评委提交评审意见",
	"evaluation.finished":            "评标结束，公示中标候选人",
	"evaluation.all_rejected":        "全部投标被否决",
	"evaluation.committee_revealed":  "定标后公布评标委员会名单",
	"publicity.ended":                "中标候选人公示期满",
	"tender.awarded":                 "确定中标人，发出中标通知书",
	"tender.reserve_committed":       "录入底价（密封承诺，结果产生后公开）",
	"tender.reserve_revealed":        "公开底价（打开承诺）",
	"contract.recorded":              "登记书面合同",
	"lot.retendered":                 "重新招标",
	"warning.contract_overdue":       "预警：合同逾期未订立",
	"warning.objection_overdue":      "预警：异议逾期未答复",
	"confidential.submission":        "保密事项（开标前不公开）",
	"lot.custody_set":                "指定投标文件密钥保管人",
	"tender.decryption_started":      "投标截止，开标解密",
	"tender.shares_submitted":        "密钥保管人提交解密份额",
	"tender.decryption_stalled":      "预警：解密时限届满，开标停滞",
	"tender.decryption_extended":     "决定延长解密时限",
	"ledger.revealed":                "公开开标前保密的留痕内容",
	"key.registered":                 "登记公钥",
	"key.revoked":                    "吊销公钥",
	// The expert pool (entries with subject expert:ID).
	"expert.applied":     "专家入库申请",
	"expert.approved":    "专家审核通过入库",
	"expert.rejected":    "专家入库申请未通过",
	"expert.updated":     "专家信息变更",
	"expert.suspended":   "暂停专家抽取",
	"expert.blacklisted": "专家列入黑名单",
	"expert.reinstated":  "专家恢复在库",
	"expert.exited":      "专家出库",
	"expert.rated":       "专家履职评价",
	// Kinds inside confidential entries (shown to auditors; never public before the opening).
	"documents.obtained": "获取招标文件",
	"deposit.recorded":   "登记投标保证金",
	"bid.submitted":      "递交投标文件",
	"bid.withdrawn":      "撤回投标文件",
}

func eventLabel(t string) string {
	if l, ok := events[t]; ok {
		return l
	}
	return t
}

// openingView is an opening record as the "opening" partial renders it.
type openingView struct {
	*tender.Opening
	Land bool // a land sale: 报价（出让价款） and 开发建设周期, no works columns
}

var fieldLabels = map[string]string{
	"name": "名称", "supervisor_dept": "行业监督部门", "principal_uscc": "招标人统一社会信用代码", "agency_uscc": "代理机构统一社会信用代码",
	"procedure": "招标方式", "method": "评标办法", "estimate": "估算价", "ceiling": "最高投标限价", "security": "投标保证金",
	"category_code": "专业分类代码", "committee_size": "评标委员会人数", "principal_reps": "招标人代表人数", "scoring": "评分表",
	"documents": "招标文件", "file": "文件", "docs_from": "文件获取开始", "docs_until": "文件获取截止", "bid_deadline": "投标截止时间",
	"invitees": "受邀单位", "text": "内容", "new_deadline": "新的投标截止时间", "answer": "答复内容", "bid_id": "中标人",
	"exception_reason": "未选排名第一的理由", "signed_at": "签订日期", "amount": "金额", "reference": "凭证号",
	"price": "投标报价", "duration_days": "工期", "quality": "质量标准", "project_manager": "项目经理", "alternative_prices": "备选报价",
	"reps": "招标人代表", "username": "用户名", "password": "密码", "from": "开始日期", "to": "结束日期",
	"custody": "密钥保管人", "custodians": "密钥保管人", "threshold": "解密门限", "window_minutes": "解密时限", "until": "新的解密时限",
	"reason": "理由", "pem": "公钥", "confirm": "确认", "shares": "解密份额", "size": "文件大小",
	"needs": "抽取专业与人数", "id_number": "身份证号码", "employer": "工作单位", "title": "职称", "field_since": "从事本专业工作起始年份",
	"specialties": "评标专业", "city": "常住城市", "source": "依据", "user": "专家登录账号", "kind": "出库原因", "contact": "联系方式",
	"conflicts": "申报的利害关系单位", "signature": "评审签名",
	"score": "评价等级", "comment": "评价说明",
	"explanation": "评分偏离说明", "chair": "主任委员人选", "failure": "故障情况", "member": "更换的成员", "proceed": "决定",
	// Sales (issue 5).
	"seller": "出让人（转让方）统一社会信用代码", "mode": "交易方式", "location": "坐落", "area_m2": "面积", "use": "土地用途",
	"term_years": "出让年期", "mineral": "矿种", "asset": "转让标的", "valuation": "评估值", "eligibility": "竞买人资格条件",
	"deposit": "竞买保证金", "start_price": "起始价", "increment": "增价幅度", "start_at": "开始时间", "end_at": "截止时间",
	"reserve": "底价", "ref": "保证金到账凭证号", "plot_ratio": "容积率等规划条件", "conditions": "出让条件",
	"view_from": "展示开始日期", "view_to": "展示结束日期", "approved_on": "转让行为批准日期", "disclosure_from": "正式信息披露开始日期",
}

// formFieldLabels name a field where one form means something else by it.
var formFieldLabels = map[string]map[string]string{
	"apply":      {"name": "姓名"},
	"lot":        {"location": "宗地坐落", "area_m2": "宗地面积", "land": "宗地信息"},
	"project":    {"category": "交易类别"},
	"sanction":   {"until": "处理期限", "reason": "事由"},
	"sale":       {"title": "标的名称", "kind": "标的类别"},
	"quote":      {"amount": "报价金额"},
	"bid":        {"amount": "出价金额"},
	"sealed":     {"amount": "一次报价金额", "sealed": "密封报价文件"},
	"announce":   {"start_at": "开始时间", "end_at": "截止时间"},
	"pause":      {"reason": "技术故障情况"},
	"resume":     {"reason": "故障排除情况"},
	"identities": {"reason": "查看事由"},
	"extend":     {"days": "延长的工作日数", "reason": "延长理由"},
	"change":     {"title": "标的名称", "reason": "变更理由"},
	"agree":      {"price": "协议转让价格", "registration": "受让方", "rounds": "信息披露轮数", "approval": "批准文件"},

	// One sealed quote of a sale (salessealed.go).
	"custody":        {"usernames": "密钥保管人用户名"},
	"decrypt-extend": {"until": "新的解密时限", "reason": "延长理由"},
}

func fieldLabelIn(form, k string) string {
	if l, ok := formFieldLabels[form][k]; ok {
		return l
	}
	if strings.HasPrefix(form, "inv-") && k == "reason" {
		return "不能参加的原因"
	}
	if strings.HasPrefix(form, "reg-") && k == "reason" {
		return "不通过的理由"
	}
	return fieldLabel(k)
}

func fieldLabel(k string) string {
	if l, ok := fieldLabels[k]; ok {
		return l
	}
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		if l, ok := fieldLabels[k[i+1:]]; ok {
			return l
		}
		return "评审项"
	}
	return k
}

// clip shortens s to n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
