// Package party holds the people and organisations of the platform: market
// entities keyed by unified social credit code, users with roles, and the Actor
// every use case receives explicitly.
package party

import (
	"time"

	"ggzy/internal/ids"
)

// Role is what a user does on the platform (DESIGN.md §2).
type Role string

const (
	RolePublic     Role = "public"     // 社会公众
	RoleBidder     Role = "bidder"     // 市场主体（投标人）
	RolePrincipal  Role = "principal"  // 招标人
	RoleAgency     Role = "agency"     // 招标代理
	RoleExpert     Role = "expert"     // 评标专家
	RoleOperator   Role = "operator"   // 交易中心工作人员
	RoleSupervisor Role = "supervisor" // 行政监督人员
	RoleObserver   Role = "observer"   // 社会监督员
	RoleAuditor    Role = "auditor"    // 审计
	RoleAdmin      Role = "admin"      // 系统管理员
	RoleSystem     Role = "system"     // the platform itself (jobs)
)

// Roles lists the user roles in display order.
var Roles = []Role{RoleBidder, RolePrincipal, RoleAgency, RoleExpert, RoleOperator, RoleSupervisor, RoleObserver, RoleAuditor, RoleAdmin}

// Label is the Chinese name of a role.
func (r Role) Label() string {
	switch r {
	case RoleBidder:
		return "投标人"
	case RolePrincipal:
		return "招标人"
	case RoleAgency:
		return "招标代理机构"
	case RoleExpert:
		return "评标专家"
	case RoleOperator:
		return "交易中心"
	case RoleSupervisor:
		return "行政监督"
	case RoleObserver:
		return "社会监督员"
	case RoleAuditor:
		return "审计"
	case RoleAdmin:
		return "系统管理员"
	case RoleSystem:
		return "平台"
	}
	return "社会公众"
}

// Valid reports whether r is an assignable user role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Actor is who performs a use case; authorisation is decided from it alone.
type Actor struct {
	UserID     ids.ID
	Name       string
	Role       Role
	EntityID   ids.ID // the organisation the user acts for (bidder, principal, agency)
	ExpertID   ids.ID // for experts
	Department string // for supervisors: 住建, 交通, 水利 …
	IP         string
}

// Public is an anonymous visitor.
func Public(ip string) Actor { return Actor{Role: RolePublic, IP: ip} }

// System is the platform acting by itself (a scheduled job).
func System() Actor { return Actor{UserID: "system", Name: "平台", Role: RoleSystem} }

// IsStaff reports roles that see the whole of any project once published.
func (a Actor) IsStaff() bool {
	return a.Role == RoleOperator || a.Role == RoleSupervisor || a.Role == RoleAuditor || a.Role == RoleAdmin
}

// EntityKind classifies a registered organisation.
type EntityKind string

const (
	KindEnterprise EntityKind = "enterprise" // 投标企业
	KindPrincipal  EntityKind = "principal"  // 招标人/采购人（机关、事业单位、国企）
	KindAgency     EntityKind = "agency"     // 招标代理机构
)

// Entity is a market entity, registered once by its USCC.
type Entity struct {
	ID       ids.ID
	USCC     string
	Name     string
	LegalRep string // 法定代表人
	Kind     EntityKind
	Region   string // GB/T 2260 code
	Address  string
	Contact  string
	// ControllerID is the registered entity that controls this one
	// (控股股东或实际控制人), "" when none is registered.
	ControllerID ids.ID
	CreatedAt    time.Time
}

// User is a login.
type User struct {
	ID           ids.ID
	Username     string
	Name         string
	Role         Role
	EntityID     ids.ID
	ExpertID     ids.ID
	Department   string
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
}

// Actor returns the actor for u coming from ip.
func (u User) Actor(ip string) Actor {
	return Actor{UserID: u.ID, Name: u.Name, Role: u.Role, EntityID: u.EntityID, ExpertID: u.ExpertID, Department: u.Department, IP: ip}
}

// Session is a web session or an API token; only the token's hash is stored.
type Session struct {
	TokenHash string
	UserID    ids.ID
	Kind      string // "web" | "api"
	CSRF      string
	ExpiresAt time.Time
	CreatedAt time.Time
}
