package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	auctionrules "ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/rules"
	"ggzy/internal/seal"
	"ggzy/internal/sealbid"
	"ggzy/internal/store"
	"ggzy/internal/tender"
)

// DemoPassword is every demo user's password.
const DemoPassword = "ggzy2026"

// Login is one demo account to print.
type Login struct{ Role, Username, Note string }

var demoLogins = []Login{
	{"招标人", "jsj", "南宁市市政工程建设管理处"},
	{"招标人", "yiyuan", "南宁市第一人民医院"},
	{"招标人", "sanzhong", "南宁市第三中学"},
	{"招标代理", "daili", "广西桂信招标代理有限公司"},
	{"投标人", "bidder01", "广西邕江建设集团有限公司（另有 bidder02…bidder24）；bidder01…bidder03 也是挂牌中地块的竞买人，bidder01 还可在一次报价的产权转让中密封报价"},
	{"出让人", "zrzy", "南宁市自然资源局（国有建设用地使用权挂牌出让）"},
	{"评标专家", "expert01", "（另有 expert02…expert64）"},
	{"交易中心", "operator", "南宁市公共资源交易中心"},
	{"行政监督", "supervisor", "南宁市住房和城乡建设局"},
	{"社会监督员", "observer", "（只读）"},
	{"审计", "auditor", ""},
	{"系统管理员", "admin", ""},
}

var bidderNames = []string{
	"广西邕江建设集团有限公司", "广西绿城路桥工程有限公司", "南宁青秀建筑工程有限公司", "广西八桂市政工程有限公司",
	"广西五象建设有限公司", "南宁良庆水利水电工程有限公司", "广西朱槿园林绿化有限公司", "广西南湖建工集团有限公司",
	"广西凤凰岭建设工程有限公司", "南宁江南建筑安装有限公司", "广西明秀装饰工程有限公司", "广西西乡塘土木工程有限公司",
	"广西金湖路桥集团有限公司", "南宁兴宁建设有限公司", "广西壮锦机电安装工程有限公司", "广西昆仑关交通建设有限公司",
	"南宁武鸣建筑工程有限公司", "广西横州水利建设有限公司", "广西宾阳市政工程有限公司", "广西上林城建集团有限公司",
	"广西隆安基础工程有限公司", "广西马山钢结构有限公司", "南宁邕宁建筑劳务有限公司", "广西北部湾建设工程有限公司",
}

var specialties = []struct{ code, name string }{
	{"A0801", "房屋建筑工程"}, {"A0802", "市政公用工程"}, {"A0803", "公路工程"}, {"A0808", "水利工程"},
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
var givens = []string{"建华", "志强", "丽娟", "国栋", "海燕", "振宇", "明辉", "秀英", "伟", "静", "晓东", "春梅", "立新", "文博", "思远", "红梅"}

// Seed loads the Nanning demo data set once: entities, users, an expert pool,
// projects in every lifecycle state and two land plots (landSales), each
// driven through the real use cases on a clock set back in time, so every
// record and ledger entry is what the platform itself would have written. A second run finds the data and
// does nothing.
func Seed(ctx context.Context, a *App) ([]Login, error) {
	var seeded bool
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		_, err := tx.GetUserByUsername(ctx, "operator")
		seeded = err == nil
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s := newSeeder(ctx, a)
	if seeded {
		return demoLogins, s.liveOpening()
	}
	s.clk.Set(s.now.AddDate(0, 0, -90))
	if err := s.parties(); err != nil {
		return nil, fmt.Errorf("主体: %w", err)
	}
	if err := s.projects(); err != nil {
		return nil, fmt.Errorf("项目: %w", err)
	}
	if err := s.landSales(); err != nil {
		return nil, fmt.Errorf("土地出让: %w", err)
	}
	a.Log.Info("演示数据已生成", "bidders", len(s.bidders), "experts", len(s.experts))
	return demoLogins, nil
}

func newSeeder(ctx context.Context, a *App) *seeder {
	now := a.Clock.Now()
	clk := clock.NewFake(now)
	// Demo passwords use lighter argon2 parameters so seeding 100 users is quick.
	ps := party.NewService(store.Bind[party.Tx](a.DB), clk, a.IDs, party.PasswordParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1})
	pool := expert.DefaultPolicy() // one policy for the pool's reviews and the draws
	ts := tender.New(tender.Config{Store: store.Bind[tender.Tx](a.DB), Clock: clk, IDs: a.IDs, Rules: rules.EngineeringTender(), Calendar: a.Calendar, Region: a.Config.Region,
		Keys: party.Keyring{S: ps}, Blobs: a.Blobs, RequireSealed: true, Checkpoints: a.Ledger, Pool: pool, ValidSpecialty: a.Codes.Valid})
	es := expert.NewService(store.Bind[expert.Tx](a.DB), clk, a.IDs, pool, a.Codes.Valid)
	return &seeder{ctx: ctx, a: a, clk: clk, ts: ts, ps: ps, es: es, now: now, users: map[string]party.User{}, keys: map[string]*gm.PrivateKey{}}
}

// liveOpening makes sure a visitor of a restarted demo can still watch an
// opening: when no lot's deadline falls in the next half hour, it publishes
// one more (lawfully back-dated) tender with four bids whose deadline is five
// minutes away. The seed data itself is never duplicated.
func (s *seeder) liveOpening() error {
	var lots []tender.Lot
	var projects int
	err := s.a.DB.Read(s.ctx, func(tx *store.Tx) error {
		var err error
		if lots, err = tx.ListLots(s.ctx, tender.LotFilter{Status: tender.Bidding}); err != nil {
			return err
		}
		ps, err := tx.ListProjects(s.ctx, "")
		projects = len(ps)
		return err
	})
	if err != nil {
		return err
	}
	for _, l := range lots {
		if l.BidDeadline.After(s.now) && l.BidDeadline.Before(s.now.Add(30*time.Minute)) {
			return nil
		}
	}
	if err := s.load(); err != nil {
		return err
	}
	d := demoProject{fmt.Sprintf("南宁市第一人民医院院区道路及管网维修工程（第%d批）", projects), "施工", "yiyuan", "daili", "A0802", "卫健", false,
		tender.LowestPrice, tender.Open, 2_400_000_00, 4, "opening-soon", 25 * day}
	return s.run(projects, d)
}

// load reads the demo's users and entities back from the database.
func (s *seeder) load() error {
	names := []string{"jsj", "jsj2", "yiyuan", "yiyuan2", "sanzhong", "sanzhong2", "daili", "operator", "supervisor"}
	for i := range bidderNames {
		names = append(names, fmt.Sprintf("bidder%02d", i+1))
	}
	for _, n := range names {
		u, err := s.ps.UserByUsername(s.ctx, n)
		if err != nil {
			return fmt.Errorf("演示用户 %s: %w", n, err)
		}
		s.users[n] = u
	}
	if err := s.loadKeys(); err != nil {
		return err
	}
	ent := func(username string) (party.Entity, error) { return s.ps.Entity(s.ctx, s.users[username].EntityID) }
	var err error
	if s.bureau, err = ent("jsj"); err != nil {
		return err
	}
	if s.hospital, err = ent("yiyuan"); err != nil {
		return err
	}
	if s.school, err = ent("sanzhong"); err != nil {
		return err
	}
	if s.agency, err = ent("daili"); err != nil {
		return err
	}
	for i := range bidderNames {
		e, err := ent(fmt.Sprintf("bidder%02d", i+1))
		if err != nil {
			return err
		}
		s.bidders = append(s.bidders, e)
	}
	return nil
}

type seeder struct {
	ctx      context.Context
	a        *App
	clk      *clock.Fake
	ts       *tender.Service
	ps       *party.Service
	es       *expert.Service
	now      time.Time
	users    map[string]party.User
	bureau   party.Entity
	hospital party.Entity
	school   party.Entity
	agency   party.Entity
	bidders  []party.Entity
	experts  []expert.Expert
	seq      int
	keys     map[string]*gm.PrivateKey // demo users' private keys, by username
}

func (s *seeder) entity(kind party.EntityKind, prefix, region, name, rep string) (party.Entity, error) {
	s.seq++
	code, err := party.MakeUSCC(prefix, region, fmt.Sprintf("%08d", 45010000+s.seq*7919))
	if err != nil {
		return party.Entity{}, err
	}
	return s.ps.RegisterEntity(s.ctx, party.System(), party.EntityInput{USCC: code, Name: name, LegalRep: rep, Kind: kind, Region: region,
		Address: "广西壮族自治区南宁市", Contact: fmt.Sprintf("0771-58%05d", s.seq*37%100000)})
}

func (s *seeder) user(username, name string, role party.Role, entity, dept string) error {
	u, err := s.ps.CreateUser(s.ctx, party.System(), party.UserInput{Username: username, Name: name, Password: DemoPassword, Role: role, EntityID: entity, Department: dept})
	s.users[username] = u
	return err
}

func (s *seeder) actor(username string) party.Actor { return s.users[username].Actor("127.0.0.1") }

func (s *seeder) parties() error {
	var err error
	if s.bureau, err = s.entity(party.KindPrincipal, "12", "450100", "南宁市市政工程建设管理处", "黄振华"); err != nil {
		return err
	}
	if s.hospital, err = s.entity(party.KindPrincipal, "12", "450103", "南宁市第一人民医院", "覃立新"); err != nil {
		return err
	}
	if s.school, err = s.entity(party.KindPrincipal, "12", "450102", "南宁市第三中学", "韦春梅"); err != nil {
		return err
	}
	if s.agency, err = s.entity(party.KindAgency, "91", "450100", "广西桂信招标代理有限公司", "莫文博"); err != nil {
		return err
	}
	regions := []string{"450102", "450103", "450105", "450107", "450108", "450109", "450110", "450100"}
	for i, n := range bidderNames {
		rep := string(surnames[i%len(surnames)]) + givens[(i*5)%len(givens)]
		e, err := s.entity(party.KindEnterprise, "91", regions[i%len(regions)], n, rep)
		if err != nil {
			return err
		}
		s.bidders = append(s.bidders, e)
		if err := s.user(fmt.Sprintf("bidder%02d", i+1), rep, party.RoleBidder, e.ID, ""); err != nil {
			return err
		}
	}
	for _, u := range []struct {
		name, display string
		role          party.Role
		entity, dept  string
	}{
		{"jsj", "黄工", party.RolePrincipal, s.bureau.ID, ""},
		{"jsj2", "梁代表", party.RolePrincipal, s.bureau.ID, ""},
		{"yiyuan", "覃主任", party.RolePrincipal, s.hospital.ID, ""},
		{"yiyuan2", "蒙代表", party.RolePrincipal, s.hospital.ID, ""},
		{"sanzhong", "韦校长", party.RolePrincipal, s.school.ID, ""},
		{"sanzhong2", "农代表", party.RolePrincipal, s.school.ID, ""},
		{"daili", "莫经理", party.RoleAgency, s.agency.ID, ""},
		{"operator", "交易中心值班员", party.RoleOperator, "", ""},
		{"supervisor", "住建局监督员", party.RoleSupervisor, "", "住建"},
		{"observer", "社会监督员", party.RoleObserver, "", ""},
		{"auditor", "审计员", party.RoleAuditor, "", ""},
		{"admin", "系统管理员", party.RoleAdmin, "", ""},
	} {
		if err := s.user(u.name, u.display, u.role, u.entity, u.dept); err != nil {
			return err
		}
	}
	if err := s.makeKeys(); err != nil {
		return err
	}
	// 64 experts across four specialties, a few employed by bidders (they
	// are excluded from those bidders' lots by the draw).
	for i := 0; i < 64; i++ {
		sp := specialties[i%len(specialties)]
		name := string(surnames[(i*7)%len(surnames)]) + givens[(i*3)%len(givens)]
		uname := fmt.Sprintf("expert%02d", i+1)
		if err := s.user(uname, name, party.RoleExpert, "", ""); err != nil {
			return err
		}
		in := expert.Input{Name: name, IDNumber: expert.IDNumber(fmt.Sprintf("4501%02d19%02d%02d%02d%03d", 2+i%8, 58+i%25, 1+i%12, 1+i%28, i+1)),
			EmployerName: []string{"广西大学", "广西建设职业技术学院", "南宁市建筑设计院", "广西交通设计集团"}[i%4],
			Title:        []string{"高级工程师", "正高级工程师", "教授级高级工程师"}[i%3], Senior: true, FieldSince: 2017 - i%20,
			Specialties: []string{sp.code}, City: []string{"450100", "450300", "450200", "450500"}[(i/4)%4], Contact: fmt.Sprintf("1387710%04d", i)}
		if i%16 == 5 {
			in.EmployerUSCC = s.bidders[i%len(s.bidders)].USCC
		}
		if i%8 == 3 {
			in.Specialties = append(in.Specialties, specialties[(i+1)%len(specialties)].code)
		}
		e, err := s.es.Apply(s.ctx, s.actor("operator"), in)
		if err != nil {
			return fmt.Errorf("专家入库申请: %w", err)
		}
		if e, err = s.es.Review(s.ctx, s.actor("operator"), e.ID, true, "材料齐全，符合入库条件", s.users[uname].ID); err != nil {
			return fmt.Errorf("专家入库审核: %w", err)
		}
		s.experts = append(s.experts, e)
	}
	return nil
}

// committee draws a remote committee (远程异地评标: Nanning experts are
// excluded) for the lot through the verifiable draw, and has every invited
// expert confirm.
func (s *seeder) committee(l tender.Lot, rep, cat string) ([]tender.Member, error) {
	d, err := s.ts.RequestDraw(s.ctx, s.actor("operator"), l.ID, tender.DrawInput{Remote: true, Reps: []string{rep},
		Needs: []draw.Need{{Specialty: cat, Count: l.CommitteeSize - l.PrincipalReps, Backups: 2}}}, s.ps.UserByUsername)
	if err != nil {
		return nil, err
	}
	if err := s.ts.RunDraw(s.ctx, d.ID); err != nil {
		return nil, err
	}
	_, invs, err := s.ts.ListLotDraws(s.ctx, s.actor("operator"), l.ID)
	if err != nil {
		return nil, err
	}
	s.clk.Set(s.clk.Now().Add(10 * time.Minute))
	for _, iv := range invs {
		if iv.Status != tender.InvInvited {
			continue
		}
		u, err := s.ps.UserByID(s.ctx, iv.UserID)
		if err != nil {
			return nil, err
		}
		if _, err := s.ts.RespondInvitation(s.ctx, s.actor(u.Username), iv.ID, true, "", true); err != nil {
			return nil, err
		}
	}
	v, err := s.ts.ViewLot(s.ctx, s.actor("operator"), l.ID)
	if err != nil {
		return nil, err
	}
	if len(v.Committee) != l.CommitteeSize {
		return nil, fmt.Errorf("评标委员会仅%d人", len(v.Committee))
	}
	return v.Committee, nil
}

// actorByID is the demo user with that ID.
func (s *seeder) actorByID(id ids.ID) party.Actor {
	for name, u := range s.users {
		if u.ID == id {
			return s.actor(name)
		}
	}
	return party.Actor{UserID: id}
}

// signKey returns the member's sheet-signing key, making, registering and
// saving one (demo-keys/<username>.sign.key.pem, demo password) the first time.
func (s *seeder) signKey(userID ids.ID) (*gm.PrivateKey, error) {
	name := ""
	for n, u := range s.users {
		if u.ID == userID {
			name = n
		}
	}
	if k, ok := s.keys["sign:"+name]; ok {
		return k, nil
	}
	k, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	if _, err := s.ps.RegisterKey(s.ctx, s.actor(name), party.KeyInput{PEM: string(k.Public().MarshalPEM()), Purpose: party.KeySign, Label: "演示评审签名密钥"}); err != nil {
		return nil, fmt.Errorf("%s 的评审签名密钥: %w", name, err)
	}
	pem, err := k.MarshalEncryptedPEM([]byte(DemoPassword))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(KeyDir(s.a.Config.DataDir), name+".sign.key.pem"), pem, 0o600); err != nil {
		return nil, err
	}
	s.keys["sign:"+name] = k
	return k, nil
}

// signSheet signs a committee member's sheet with the member's sheet key,
// registering one (kept with the demo keys) the first time.
func (s *seeder) signSheet(userID ids.ID, lotCode string, lines []tender.SheetLine) (tender.SheetSignature, error) {
	k, err := s.signKey(userID)
	if err != nil {
		return tender.SheetSignature{}, err
	}
	return tender.SignSheet(k, lotCode, userID, lines)
}

type demoProject struct {
	name, lot, principal, manager, cat, dept string
	stateFunded                              bool
	method                                   tender.Method
	procedure                                tender.Procedure
	estimate                                 money.Fen
	bids                                     int
	stage                                    string
	start                                    time.Duration // before now: when the notice was published
}

const day = 24 * time.Hour

func (s *seeder) projects() error {
	list := []demoProject{
		{"南宁市五象新区秋月路市政道路改造工程", "施工", "jsj", "daili", "A0802", "住建", true, tender.LowestPrice, tender.Open, 38_600_000_00, 5, "contracted", 75 * day},
		{"南宁市第一人民医院门诊综合楼装修改造工程", "施工", "yiyuan", "daili", "A0801", "卫健", true, tender.Comprehensive, tender.Open, 12_800_000_00, 4, "awarded", 45 * day},
		{"南宁市第三中学学生宿舍楼新建工程", "施工总承包", "sanzhong", "sanzhong", "A0801", "教育", true, tender.Comprehensive, tender.Open, 26_500_000_00, 6, "publicity", 26 * day},
		{"邕江南岸防洪堤加固工程", "第二标段", "jsj", "daili", "A0808", "水利", true, tender.LowestPrice, tender.Open, 9_700_000_00, 5, "evaluating", 23 * day},
		// A remote committee seated and the room open: its members score
		// through the UI with their demo sheet keys (demo-keys/expertNN.sign.key.pem).
		{"南宁市江南区中小学校舍维修工程", "施工", "jsj", "daili", "A0801", "教育", true, tender.Comprehensive, tender.Open, 6_300_000_00, 4, "room", 22 * day},
		{"南宁市青秀区人行天桥新建工程", "施工", "jsj", "jsj", "A0802", "住建", true, tender.LowestPrice, tender.Open, 4_200_000_00, 2, "failed", 30 * day},
		{"南宁市第一人民医院污水处理站改造工程", "施工", "yiyuan", "daili", "A0801", "卫健", false, tender.LowestPrice, tender.Open, 3_600_000_00, 4, "opening-soon", 25 * day},
		{"南宁市良庆区农村公路提级改造工程", "第一标段", "jsj", "daili", "A0803", "交通", true, tender.LowestPrice, tender.Open, 15_300_000_00, 2, "bidding", 8 * day},
		{"南宁市第三中学运动场改造工程", "施工", "sanzhong", "daili", "A0801", "教育", true, tender.LowestPrice, tender.Invited, 2_900_000_00, 1, "bidding", 5 * day},
		{"南宁市邕宁区排水管网完善工程", "施工", "jsj", "daili", "A0802", "住建", true, tender.Comprehensive, tender.Open, 7_400_000_00, 0, "draft", 2 * day},
	}
	for i, d := range list {
		if err := s.run(i, d); err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
	}
	return nil
}

// run drives one demo project to its stage through the use cases.
func (s *seeder) run(n int, d demoProject) error {
	ctx := s.ctx
	start := s.now.Add(-d.start)
	s.clk.Set(start.Add(-2 * time.Hour))
	mgr := s.actor(d.manager)
	in := tender.ProjectInput{Name: d.name, StateFunded: d.stateFunded, Funding: map[bool]string{true: "财政资金", false: "单位自筹"}[d.stateFunded], SupervisorDept: d.dept,
		Description: "项目位于南宁市，资金已落实，具备招标条件。"}
	if d.manager == "daili" {
		in.PrincipalUSCC = map[string]string{"jsj": s.bureau.USCC, "yiyuan": s.hospital.USCC, "sanzhong": s.school.USCC}[d.principal]
	}
	p, err := s.ts.CreateProject(ctx, mgr, in)
	if err != nil {
		return err
	}
	lin := tender.LotInput{Name: d.lot, Procedure: d.procedure, Method: d.method, Estimate: d.estimate, Ceiling: d.estimate * 98 / 100,
		Security: d.estimate / 100 / 100000 * 100000, CategoryCode: d.cat, CommitteeSize: 5, PrincipalReps: 1}
	if lin.Security > 800_000_00 {
		lin.Security = 800_000_00
	}
	l, err := s.ts.AddLot(ctx, mgr, p.ID, lin)
	if err != nil {
		return err
	}
	doc := fmt.Sprintf("%s %s 招标文件\n\n第一章 招标公告\n第二章 投标人须知\n第三章 评标办法（%s）\n第四章 合同条款及格式\n第五章 工程量清单\n第六章 图纸\n第七章 技术标准和要求\n第八章 投标文件格式\n", d.name, d.lot, d.method.Label())
	hash, size, err := s.a.Blobs.Put(strings.NewReader(doc), 1<<20)
	if err != nil {
		return err
	}
	if _, err := s.ts.AddDocument(ctx, mgr, l.ID, "招标文件（"+d.lot+"）.txt", size, hash); err != nil {
		return err
	}
	if d.stage == "draft" {
		return nil
	}
	s.clk.Set(start)
	deadline := s.ts.EarliestDeadline(start, 9, 30)
	if d.stage == "opening-soon" {
		deadline = s.now.Add(5 * time.Minute).Truncate(time.Minute)
	}
	if d.stage == "bidding" && deadline.Before(s.now.Add(3*day)) {
		deadline = deadline.Add(7 * day)
	}
	pub := tender.PublishInput{DocsFrom: start, DocsUntil: deadline, BidDeadline: deadline, OpeningPlace: "南宁市公共资源交易中心第" + fmt.Sprint(n%3+1) + "开标室（线上同步）",
		Body: fmt.Sprintf("本招标项目%s已由有关部门批准建设，招标人为%s，建设资金来自%s。项目已具备招标条件，现对该项目的%s进行%s。", d.name, s.users[d.principal].Name, in.Funding, d.lot, d.procedure.Label())}
	first := (n * 5) % len(s.bidders)
	if d.procedure == tender.Invited {
		for k := 0; k < 3; k++ {
			pub.Invitees = append(pub.Invitees, s.bidders[(first+k)%len(s.bidders)].USCC)
		}
	}
	// Bids are sealed to three custodians of three organisations, any two of
	// whom open them (DESIGN.md §6.2).
	var custodians []ids.ID
	for _, u := range demoCustodians {
		custodians = append(custodians, s.users[u].ID)
	}
	if _, err := s.ts.SetCustody(ctx, mgr, l.ID, tender.CustodyInput{UserIDs: custodians, Threshold: 2}); err != nil {
		return err
	}
	if _, err := s.ts.PublishTender(ctx, mgr, l.ID, pub); err != nil {
		return err
	}
	if l, err = s.getLot(l.ID); err != nil {
		return err
	}
	for k := 0; k < d.bids; k++ {
		s.clk.Set(start.Add(time.Duration(3+k) * day).Add(time.Duration(k) * time.Hour))
		bi := (first + k) % len(s.bidders)
		a := s.actor(fmt.Sprintf("bidder%02d", bi+1))
		if err := s.ts.ObtainDocuments(ctx, a, l.ID); err != nil {
			return err
		}
		if err := s.ts.RecordDeposit(ctx, a, l.ID, lin.Security, fmt.Sprintf("GXBANK%08d", 1000+n*10+k)); err != nil {
			return err
		}
		price := d.estimate * money.Fen(90+((k*7+n*3)%8)) / 100 / 100 * 100
		form := tender.EncodePlain(tender.BidContent{Price: price, DurationDays: 180 + 30*(k%4), Quality: "合格", ProjectManager: string(surnames[(bi+3)%len(surnames)]) + givens[(bi+1)%len(givens)]})
		tech := fmt.Sprintf("%s\n%s 投标文件（技术标）\n\n一、施工组织设计\n二、项目管理机构\n三、拟投入的主要施工机械\n", s.bidders[bi].Name, d.name)
		var sealed bytes.Buffer
		if _, err := sealbid.Seal(&sealed, l.Sealing(), string(s.bidders[bi].ID), form, []seal.PackageFile{{Name: "技术标.txt", Size: int64(len(tech)), R: strings.NewReader(tech)}},
			s.keys[fmt.Sprintf("bidder%02d", bi+1)], s.clk.Now(), rand.Reader); err != nil {
			return err
		}
		if _, err := s.ts.SubmitSealedBid(ctx, a, l.ID, &sealed, 1<<30); err != nil {
			return err
		}
	}
	if d.stage == "bidding" || d.stage == "opening-soon" {
		return nil
	}
	s.clk.Set(deadline)
	if _, err := s.ts.OpenBids(ctx, l.ID); err != nil {
		return err
	}
	if d.stage != "failed" {
		// Two of the three custodians decrypt their shares on their side.
		s.clk.Set(deadline.Add(10 * time.Minute))
		if err := s.decrypt(l.ID, "operator", "supervisor"); err != nil {
			return fmt.Errorf("解密: %w", err)
		}
	}
	if d.stage == "failed" {
		s.clk.Set(deadline.Add(2 * day))
		_, err := s.ts.Retender(ctx, mgr, l.ID)
		return err
	}
	if d.stage == "evaluating" {
		return nil
	}
	s.clk.Set(deadline.Add(time.Hour))
	rep := map[string]string{"jsj": "jsj2", "yiyuan": "yiyuan2", "sanzhong": "sanzhong2"}[d.principal]
	members, err := s.committee(l, rep, d.cat)
	if err != nil {
		return fmt.Errorf("抽取专家: %w", err)
	}
	if d.stage == "room" {
		// Each member gets a sheet key whose file the demo keeps; the room
		// opens now, so its planned end lies ahead of the visitor.
		for _, m := range members {
			if _, err := s.signKey(m.UserID); err != nil {
				return err
			}
		}
		s.clk.Set(s.now)
		_, err := s.ts.StartEvaluation(ctx, s.actor("operator"), l.ID)
		return err
	}
	if _, err := s.ts.StartEvaluation(ctx, s.actor("operator"), l.ID); err != nil {
		return err
	}
	v, err := s.ts.ViewLot(ctx, s.actor("operator"), l.ID)
	if err != nil {
		return err
	}
	s.clk.Set(deadline.Add(5 * time.Hour))
	for mi, m := range members {
		var lines []tender.SheetLine
		for bi, b := range v.Bids {
			ln := tender.SheetLine{BidID: b.ID, Pass: true, Scores: map[string]int64{}}
			for _, it := range v.Lot.Scoring {
				if !it.Price {
					ln.Scores[it.Key] = it.Max * int64(78+(bi*7+mi*3)%10) / 100
				}
			}
			lines = append(lines, ln)
		}
		sig, err := s.signSheet(m.UserID, l.Code, lines)
		if err != nil {
			return err
		}
		if _, err := s.ts.SubmitScoreSheet(ctx, s.actorByID(m.UserID), l.ID, lines, sig); err != nil {
			return fmt.Errorf("提交评审意见: %w", err)
		}
	}
	if d.stage == "publicity" {
		return nil
	}
	l2, err := s.getLot(l.ID)
	if err != nil {
		return err
	}
	s.clk.Set(l2.PublicityUntil.Add(time.Hour))
	r, err := s.report(l.ID)
	if err != nil {
		return err
	}
	if _, err := s.ts.DecideAward(ctx, mgr, l.ID, tender.AwardInput{BidID: r.Candidates[0].BidID}); err != nil {
		return err
	}
	if d.stage == "awarded" {
		return nil
	}
	s.clk.Set(l2.PublicityUntil.Add(12 * day))
	_, err = s.ts.RecordContract(ctx, mgr, l.ID, s.clk.Now(), r.Candidates[0].Price)
	return err
}

// demoCustodians hold the shares of every demo bid key: the agency, the
// trading centre and the supervising department.
var demoCustodians = []string{"daili", "operator", "supervisor"}

// keyOwners are the demo users who get an SM2 key at seeding.
func keyOwners() []string {
	names := append([]string{}, demoCustodians...)
	for i := range bidderNames {
		names = append(names, fmt.Sprintf("bidder%02d", i+1))
	}
	return names
}

// KeyDir is where the demo keeps its users' private key files, locked with
// the demo password: a visitor uses them to seal a bid or decrypt shares in
// the browser or with the command-line tools. A real platform never holds
// its users' private keys; this folder exists only in demo data.
func KeyDir(dataDir string) string { return filepath.Join(dataDir, "demo-keys") }

// makeKeys gives each custodian a custody key and each bidder's entity a
// bid-signing key, registered through the use case, private halves saved.
func (s *seeder) makeKeys() error {
	dir := KeyDir(s.a.Config.DataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, u := range keyOwners() {
		k, err := gm.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		purpose := party.KeyBid
		if s.users[u].Role != party.RoleBidder {
			purpose = party.KeyCustody
		}
		if _, err := s.ps.RegisterKey(s.ctx, s.actor(u), party.KeyInput{PEM: string(k.Public().MarshalPEM()), Purpose: purpose, Label: "演示密钥"}); err != nil {
			return fmt.Errorf("%s 的密钥: %w", u, err)
		}
		pem, err := k.MarshalEncryptedPEM([]byte(DemoPassword))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, u+".key.pem"), pem, 0o600); err != nil {
			return err
		}
		s.keys[u] = k
	}
	return nil
}

// loadKeys reads the demo key files back (a restarted demo).
func (s *seeder) loadKeys() error {
	for _, u := range keyOwners() {
		b, err := os.ReadFile(filepath.Join(KeyDir(s.a.Config.DataDir), u+".key.pem"))
		if err != nil {
			return fmt.Errorf("演示密钥文件: %w", err)
		}
		if s.keys[u], err = gm.ParsePrivateKeyPEM(b, []byte(DemoPassword)); err != nil {
			return fmt.Errorf("演示密钥文件 %s: %w", u, err)
		}
	}
	return nil
}

// decrypt has custodians decrypt their shares (as their own clients would)
// and runs the decryption.
func (s *seeder) decrypt(lotID ids.ID, usernames ...string) error {
	for _, u := range usernames {
		l, envs, err := s.ts.CustodyEnvelopes(s.ctx, s.actor(u), lotID)
		if err != nil {
			return err
		}
		shares, bad := sealbid.OpenShares(string(l.ID), string(s.users[u].ID), envs, s.keys[u])
		if len(bad) > 0 {
			return fmt.Errorf("%s 无法解密份额: %v", u, bad)
		}
		var sub []tender.ShareInput
		for _, sh := range shares {
			sub = append(sub, tender.ShareInput{BidID: ids.ID(sh.BidID), Share: sh.Share})
		}
		if _, _, err := s.ts.SubmitShares(s.ctx, s.actor(u), lotID, sub); err != nil {
			return err
		}
	}
	return s.ts.DecryptBids(s.ctx, lotID)
}

func (s *seeder) getLot(id string) (tender.Lot, error) {
	var l tender.Lot
	err := s.a.DB.Read(s.ctx, func(tx *store.Tx) error {
		var err error
		l, err = tx.GetLot(s.ctx, id)
		return err
	})
	return l, err
}

func (s *seeder) report(id string) (tender.Report, error) {
	var r tender.Report
	err := s.a.DB.Read(s.ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.GetReport(s.ctx, id)
		return err
	})
	return r, err
}

// ---- land-use rights (issue 5)

// onDay is h:m Beijing time on d's date.
func onDay(d time.Time, h, m int) time.Time {
	b := d.In(clock.Shanghai)
	return time.Date(b.Year(), b.Month(), b.Day(), h, m, 0, 0, clock.Shanghai).UTC()
}

// landSales adds two plots of the Wuxiang New Area sold by listing
// (国有建设用地使用权挂牌出让) by the natural resources bureau, driven through
// the sale use cases on the seeder's back-dated clock: one concluded after a
// contested timed bidding, with its reserve revealed and its confirmation;
// one in its listing period now, where bidder01…bidder03 (qualified, deposit
// confirmed) may quote and bidder04's application awaits review.
func (s *seeder) landSales() error {
	as, err := auction.New(auction.Config{Store: store.Bind[auction.Tx](s.a.DB), Clock: s.clk, IDs: s.a.IDs, Calendar: s.a.Calendar, Region: s.a.Config.Region,
		Keys: party.Keyring{S: s.ps}})
	if err != nil {
		return err
	}
	s.clk.Set(s.now.AddDate(0, 0, -70))
	bureau, err := s.entity(party.KindPrincipal, "11", "450100", "南宁市自然资源局", "蒙建国")
	if err != nil {
		return err
	}
	if err := s.user("zrzy", "出让科经办人", party.RolePrincipal, bureau.ID, ""); err != nil {
		return err
	}
	if err := s.concludedPlot(as); err != nil {
		return fmt.Errorf("GC2026-012号地块: %w", err)
	}
	if err := s.listingPlot(as); err != nil {
		return fmt.Errorf("GC2026-027号地块: %w", err)
	}
	if err := s.sealedProperty(as); err != nil {
		return fmt.Errorf("一次报价产权转让: %w", err)
	}
	if err := s.landTender(); err != nil {
		return fmt.Errorf("GC2026-031号地块招标出让: %w", err)
	}
	return nil
}

const landEligibility = "中华人民共和国境内外的法人和其他组织（法律、法规另有规定的除外）均可申请参加竞买，可以单独申请，也可以联合申请；申请人须在竞买申请截止前交纳竞买保证金。"

// enrolBidder files a bidder's application at the clock, and has the
// trading centre qualify it two hours later and confirm its deposit an hour
// after that (which draws its bidder number).
func (s *seeder) enrolBidder(as *auction.Service, saleID ids.ID, username, ref string) error {
	r, err := as.Register(s.ctx, s.actor(username), saleID)
	if err != nil {
		return err
	}
	s.clk.Advance(2 * time.Hour)
	if _, err := as.Qualify(s.ctx, s.actor("operator"), r.ID, true, ""); err != nil {
		return err
	}
	s.clk.Advance(time.Hour)
	_, err = as.ConfirmDeposit(s.ctx, s.actor("operator"), r.ID, ref)
	return err
}

// concludedPlot: a residential plot announced 60 days ago, listed with
// quotes from three bidders, contested in timed bidding and sold above its
// reserve, which was revealed at the close.
func (s *seeder) concludedPlot(as *auction.Service) error {
	ctx, cal := s.ctx, s.a.Calendar
	announceAt := onDay(s.now.AddDate(0, 0, -60), 10, 0)
	d, _ := cal.PeriodEnd(announceAt, 20, calendar.CalendarDays)
	start := onDay(d, 9, 0)
	d, _ = cal.PeriodEnd(start, 10, calendar.WorkingDays)
	end := onDay(d, 15, 0)
	const yuan = 100 // fen
	in := auction.SaleInput{Kind: auction.Land, Mode: auction.ModeListing, Title: "南宁市五象新区GC2026-012号地块国有建设用地使用权",
		Data: auction.Data{Location: "南宁市良庆区五象新区玉洞大道以东、秋月路以南", AreaM2: 45678.12, Use: auctionrules.LandResidential, TermYears: 70,
			PlotRatio:  "2.0＜容积率≤2.8；建筑密度≤25%；绿地率≥35%；建筑限高80米",
			Conditions: "净地出让，按现状交付土地；竞得人须在签订出让合同之日起12个月内动工建设、36个月内竣工；配建幼儿园一所（建筑面积不少于3600平方米），建成后无偿移交。",
			Decision:   "挂牌截止时有两个以上竞买人要求报价的，转入网上限时竞价，价高者得，且不得低于底价；只有一个竞买人报价且不低于底价的，挂牌成交。"},
		Eligibility: landEligibility, Deposit: 65_200_000 * yuan, StartPrice: 326_000_000 * yuan, Increment: 1_000_000 * yuan, StartAt: start, EndAt: end}
	s.clk.Set(announceAt.Add(-24 * time.Hour))
	sale, err := as.CreateSale(ctx, s.actor("zrzy"), in)
	if err != nil {
		return err
	}
	s.clk.Set(announceAt)
	if _, err := as.Announce(ctx, s.actor("zrzy"), sale.ID); err != nil {
		return err
	}
	bidders := []string{"bidder08", "bidder01", "bidder24"}
	for k, u := range bidders {
		s.clk.Set(onDay(announceAt.AddDate(0, 0, 3+2*k), 9, 30))
		if err := s.enrolBidder(as, sale.ID, u, fmt.Sprintf("GXBANK-TD012-%04d", 3100+k)); err != nil {
			return err
		}
	}
	s.clk.Set(onDay(start.AddDate(0, 0, -2), 16, 0))
	if err := as.SetReserve(ctx, s.actor("zrzy"), sale.ID, 335_000_000*yuan); err != nil {
		return err
	}
	// Listing quotes over the first week.
	for _, q := range []struct {
		days, h, m int
		who        string
		amount     money.Fen
	}{{1, 10, 12, "bidder08", 326_000_000}, {2, 14, 30, "bidder01", 327_000_000}, {4, 9, 45, "bidder24", 329_000_000}, {6, 11, 5, "bidder08", 330_000_000}} {
		s.clk.Set(onDay(start.AddDate(0, 0, q.days), q.h, q.m))
		if _, err := as.Quote(ctx, s.actor(q.who), sale.ID, q.amount*yuan); err != nil {
			return err
		}
	}
	// The close: three bidders confirm timed bidding within the window.
	s.clk.Set(end.Add(2 * time.Second))
	if err := as.CloseListing(ctx, sale.ID); err != nil {
		return err
	}
	for k, u := range bidders {
		s.clk.Set(end.Add(time.Duration(40+50*k) * time.Second))
		if err := as.Join(ctx, s.actor(u), sale.ID); err != nil {
			return err
		}
	}
	joinBy := end.Add(5 * time.Minute)
	s.clk.Set(joinBy)
	if err := as.StartTimed(ctx, sale.ID); err != nil {
		return err
	}
	// Eight bids, each restarting the five-minute countdown; the last one
	// stands when it runs out.
	at := joinBy
	var last auction.Receipt
	for k, b := range []struct {
		after  time.Duration
		who    string
		amount money.Fen
	}{{40 * time.Second, "bidder01", 331_000_000}, {70 * time.Second, "bidder24", 332_000_000}, {75 * time.Second, "bidder08", 333_000_000},
		{100 * time.Second, "bidder01", 334_000_000}, {85 * time.Second, "bidder24", 335_000_000}, {2 * time.Minute, "bidder01", 336_000_000},
		{150 * time.Second, "bidder08", 337_000_000}, {4 * time.Minute, "bidder01", 338_000_000}} {
		at = at.Add(b.after)
		s.clk.Set(at)
		if last, err = as.Bid(ctx, s.actor(b.who), sale.ID, b.amount*yuan); err != nil {
			return fmt.Errorf("第%d次出价: %w", k+1, err)
		}
	}
	s.clk.Set(last.EndsAt)
	return as.CloseTimedJob(ctx, auction.TimedCloseSubject(sale.ID, last.EndsAt))
}

// listingPlot: a commercial plot whose listing period runs now: two quotes
// so far, bidder01 free to outbid them.
func (s *seeder) listingPlot(as *auction.Service) error {
	ctx, cal := s.ctx, s.a.Calendar
	// The latest announcement whose listing started more than a day ago.
	announceAt := onDay(s.now.AddDate(0, 0, -25), 10, 0)
	var start time.Time
	for {
		d, _ := cal.PeriodEnd(announceAt, 20, calendar.CalendarDays)
		if start = onDay(d, 9, 0); start.Before(s.now.Add(-26 * time.Hour)) {
			break
		}
		announceAt = announceAt.AddDate(0, 0, -1)
	}
	d, _ := cal.PeriodEnd(start, 10, calendar.WorkingDays)
	end := onDay(d, 15, 0)
	if d, _ := cal.PeriodEnd(s.now, 5, calendar.WorkingDays); end.Before(onDay(d, 15, 0)) {
		end = onDay(d, 15, 0) // at least a week left to quote
	}
	const yuan = 100 // fen
	in := auction.SaleInput{Kind: auction.Land, Mode: auction.ModeListing, Title: "南宁市五象新区GC2026-027号地块国有建设用地使用权",
		Data: auction.Data{Location: "南宁市良庆区五象新区平乐大道以北、龙堤路以西", AreaM2: 18236.45, Use: auctionrules.LandCommercial, TermYears: 40,
			PlotRatio:  "容积率≤4.5；建筑密度≤45%；绿地率≥20%；建筑限高100米",
			Conditions: "净地出让，按现状交付土地；用于商业、商务办公，不得建设住宅；竞得人须在签订出让合同之日起6个月内动工建设。",
			Decision:   "挂牌截止时有两个以上竞买人要求报价的，转入网上限时竞价，价高者得，且不得低于底价；只有一个竞买人报价且不低于底价的，挂牌成交。"},
		Eligibility: landEligibility, Deposit: 19_700_000 * yuan, StartPrice: 98_500_000 * yuan, Increment: 500_000 * yuan, StartAt: start, EndAt: end}
	s.clk.Set(announceAt.Add(-24 * time.Hour))
	sale, err := as.CreateSale(ctx, s.actor("zrzy"), in)
	if err != nil {
		return err
	}
	s.clk.Set(announceAt)
	if _, err := as.Announce(ctx, s.actor("zrzy"), sale.ID); err != nil {
		return err
	}
	for k, u := range []string{"bidder02", "bidder03", "bidder01"} {
		s.clk.Set(onDay(announceAt.AddDate(0, 0, 2+2*k), 9, 30))
		if err := s.enrolBidder(as, sale.ID, u, fmt.Sprintf("GXBANK-TD027-%04d", 2700+k)); err != nil {
			return err
		}
	}
	s.clk.Set(onDay(announceAt.AddDate(0, 0, 9), 11, 0))
	if _, err := as.Register(ctx, s.actor("bidder04"), sale.ID); err != nil {
		return err
	}
	s.clk.Set(onDay(start.AddDate(0, 0, -1), 16, 0))
	if err := as.SetReserve(ctx, s.actor("zrzy"), sale.ID, 102_000_000*yuan); err != nil {
		return err
	}
	s.clk.Set(start.Add(2 * time.Hour))
	if _, err := as.Quote(ctx, s.actor("bidder02"), sale.ID, 98_500_000*yuan); err != nil {
		return err
	}
	s.clk.Set(onDay(start.AddDate(0, 0, 1), 10, 30))
	_, err = as.Quote(ctx, s.actor("bidder03"), sale.ID, 99_500_000*yuan)
	return err
}

// sealedProperty: a state-property transfer by one sealed quote (一次报价),
// its quote window open now and ending an hour after seeding. The trading
// centre named its custodians (operator and supervisor, both needed) before
// the window; bidder05 and bidder06 have sealed their quotes with their
// demo keys, as their clients would; bidder01 (qualified, deposit
// confirmed) may seal one more in the browser with demo-keys/bidder01.key.pem.
// After the window the two custodians decrypt with their demo keys and the
// highest quote wins.
func (s *seeder) sealedProperty(as *auction.Service) error {
	ctx, cal := s.ctx, s.a.Calendar
	announceAt := onDay(s.now.AddDate(0, 0, -40), 10, 0)
	d, _ := cal.PeriodEnd(announceAt, 20, calendar.WorkingDays)
	start := onDay(d, 9, 0)
	end := s.now.Add(time.Hour).Truncate(time.Minute)
	const yuan = 100 // fen
	in := auction.SaleInput{Kind: auction.Property, Mode: auction.ModeSealed, Title: "南宁市政设施养护有限公司40%股权转让",
		Data: auction.Data{Asset: "南宁市市政工程建设管理处持有的南宁市政设施养护有限公司40%股权", Valuation: 12_360_000 * yuan,
			Conditions: "受让方须承继标的企业现有职工劳动合同；成交价款在产权交易合同生效之日起5个工作日内一次性付清。",
			Decision:   "一次报价：报价截止后由密钥保管人解密开启，报价最高且不低于挂牌价者为受让方；报价相同的，先提交者为受让方。"},
		Eligibility: "依法设立并有效存续的企业法人，具有良好的财务状况和支付能力，近三年无重大违法记录。",
		Deposit:     1_200_000 * yuan, StartPrice: 12_600_000 * yuan, StartAt: start, EndAt: end}
	s.clk.Set(announceAt.Add(-24 * time.Hour))
	sale, err := as.CreateSale(ctx, s.actor("jsj"), in)
	if err != nil {
		return err
	}
	custodians := []ids.ID{s.users["operator"].ID, s.users["supervisor"].ID}
	if _, err := as.SetCustody(ctx, s.actor("operator"), sale.ID, auction.CustodyInput{UserIDs: custodians, Threshold: 2, WindowMinutes: auction.MaxDecryptWindow}); err != nil {
		return err
	}
	s.clk.Set(announceAt)
	if _, err := as.Announce(ctx, s.actor("jsj"), sale.ID); err != nil {
		return err
	}
	nos := map[string]string{}
	for k, u := range []string{"bidder05", "bidder06", "bidder01"} {
		s.clk.Set(onDay(announceAt.AddDate(0, 0, 3+2*k), 9, 30))
		if err := s.enrolBidder(as, sale.ID, u, fmt.Sprintf("GXBANK-CQ031-%04d", 3100+k)); err != nil {
			return err
		}
		v, err := as.ViewSale(ctx, s.actor(u), sale.ID)
		if err != nil {
			return err
		}
		nos[u] = v.Mine.BidderNo
	}
	cv, err := as.SaleCustody(ctx, party.Public(""), sale.ID)
	if err != nil {
		return err
	}
	for k, q := range []struct {
		who    string
		amount money.Fen
	}{{"bidder05", 12_880_000}, {"bidder06", 13_150_000}} {
		s.clk.Set(onDay(start.AddDate(0, 0, 1+k), 10, 15))
		var buf bytes.Buffer
		if _, err := sealbid.Seal(&buf, cv.Custody.Sealing(cv.Sale), nos[q.who], auction.EncodeQuote(q.amount*yuan), nil, s.keys[q.who], s.clk.Now(), rand.Reader); err != nil {
			return err
		}
		if _, err := as.SubmitSealed(ctx, s.actor(q.who), sale.ID, buf.Bytes()); err != nil {
			return fmt.Errorf("%s 的一次报价: %w", q.who, err)
		}
	}
	return nil
}
