package party

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
)

// Session lifetimes.
const (
	WebSessionTTL = 8 * time.Hour
	APITokenTTL   = 30 * 24 * time.Hour
)

// Service runs registration, login and sessions.
type Service struct {
	store     Store
	clock     clock.Clock
	ids       *ids.Generator
	pwParams  PasswordParams
	dummyOnce sync.Once
	dummy     string
}

// NewService wires the party service.
func NewService(st Store, c clock.Clock, g *ids.Generator, p PasswordParams) *Service {
	return &Service{store: st, clock: c, ids: g, pwParams: p}
}

// EntityInput registers a market entity.
type EntityInput struct {
	USCC     string
	Name     string
	LegalRep string
	Kind     EntityKind
	Region   string
	Address  string
	Contact  string
	// ControllerUSCC names the registered entity that controls this one.
	ControllerUSCC string
}

// RegisterEntity registers an organisation once, by its unified social credit
// code (GB 32100-2015). Operators register principals and agencies; an
// enterprise may register itself through the operator's review (later issue).
func (s *Service) RegisterEntity(ctx context.Context, actor Actor, in EntityInput) (Entity, error) {
	if actor.Role != RoleOperator && actor.Role != RoleAdmin && actor.Role != RoleSystem {
		return Entity{}, apperr.Forbiddenf("主体登记由交易中心审核办理。")
	}
	in.USCC = NormalizeUSCC(in.USCC)
	f := map[string]string{}
	if err := ValidateUSCC(in.USCC); err != nil {
		f["uscc"] = apperr.As(err).Message
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n < 2 || n > 100 {
		f["name"] = "名称应为2至100个字。"
	}
	if in.Kind != KindEnterprise && in.Kind != KindPrincipal && in.Kind != KindAgency {
		f["kind"] = "请选择主体类型。"
	}
	if strings.TrimSpace(in.LegalRep) == "" {
		f["legal_rep"] = "请填写法定代表人（负责人）。"
	}
	if err := apperr.Fields("主体信息有误，请按提示修改。", f); err != nil {
		if _, bad := f["uscc"]; bad {
			e := apperr.As(err)
			e.Basis = "GB 32100-2015"
		}
		return Entity{}, err
	}
	now := s.clock.Now()
	e := Entity{ID: s.ids.New(now), USCC: in.USCC, Name: strings.TrimSpace(in.Name), LegalRep: strings.TrimSpace(in.LegalRep), Kind: in.Kind,
		Region: in.Region, Address: strings.TrimSpace(in.Address), Contact: strings.TrimSpace(in.Contact), CreatedAt: now}
	err := s.store.WithTx(ctx, func(tx Tx) error {
		if c := NormalizeUSCC(in.ControllerUSCC); c != "" {
			ctl, err := tx.GetEntityByUSCC(ctx, c)
			if err != nil {
				if apperr.Is(err, apperr.NotFound) {
					return apperr.New(apperr.Invalid, "控制方统一社会信用代码“%s”未在平台登记，请先登记控制方。", c).WithField("controller_uscc", "未登记")
				}
				return err
			}
			if ctl.USCC == e.USCC {
				return apperr.New(apperr.Invalid, "主体不能控制自身。").WithField("controller_uscc", "不能是本主体")
			}
			e.ControllerID = ctl.ID
		}
		if err := tx.CreateEntity(ctx, e); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "统一社会信用代码 %s 已登记，一个主体只需登记一次（一地注册、全省通用）。", e.USCC).WithField("uscc", "已登记。")
			}
			return err
		}
		return appendEntry(ctx, tx, now, actor, "entity.registered", e.USCC, map[string]any{"uscc": e.USCC, "name": e.Name, "kind": e.Kind, "controller": e.ControllerID})
	})
	return e, err
}

// UserInput creates a login.
type UserInput struct {
	Username   string
	Name       string
	Password   string
	Role       Role
	EntityID   ids.ID
	ExpertID   ids.ID
	Department string
}

// CreateUser creates a user of an entity (one entity, many users).
func (s *Service) CreateUser(ctx context.Context, actor Actor, in UserInput) (User, error) {
	if actor.Role != RoleAdmin && actor.Role != RoleOperator && actor.Role != RoleSystem {
		return User{}, apperr.Forbiddenf("用户由系统管理员或交易中心开设。")
	}
	f := map[string]string{}
	in.Username = strings.TrimSpace(strings.ToLower(in.Username))
	if l := len(in.Username); l < 3 || l > 40 || strings.Trim(in.Username, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != "" {
		f["username"] = "用户名为3至40位小写字母、数字或 _ . -。"
	}
	if strings.TrimSpace(in.Name) == "" {
		f["name"] = "请填写姓名。"
	}
	if err := ValidatePasswordStrength(in.Password); err != nil {
		f["password"] = apperr.As(err).Message
	}
	if !in.Role.Valid() {
		f["role"] = "角色无效。"
	}
	needsEntity := in.Role == RoleBidder || in.Role == RolePrincipal || in.Role == RoleAgency
	if needsEntity && in.EntityID == "" {
		f["entity_id"] = "该角色的用户须属于一个已登记的主体。"
	}
	if in.Role == RoleSupervisor && in.Department == "" {
		f["department"] = "请填写所属行业监督部门。"
	}
	if err := apperr.Fields("用户信息有误，请按提示修改。", f); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password, s.pwParams)
	if err != nil {
		return User{}, err
	}
	now := s.clock.Now()
	u := User{ID: s.ids.New(now), Username: in.Username, Name: strings.TrimSpace(in.Name), Role: in.Role, EntityID: in.EntityID, ExpertID: in.ExpertID,
		Department: in.Department, PasswordHash: hash, CreatedAt: now}
	err = s.store.WithTx(ctx, func(tx Tx) error {
		if needsEntity {
			e, err := tx.GetEntity(ctx, in.EntityID)
			if err != nil {
				return err
			}
			want := map[Role]EntityKind{RoleBidder: KindEnterprise, RolePrincipal: KindPrincipal, RoleAgency: KindAgency}[in.Role]
			if e.Kind != want {
				return apperr.New(apperr.Invalid, "%s的用户不能担任%s角色。", e.Name, in.Role.Label()).WithField("role", "与主体类型不符。")
			}
		}
		if err := tx.CreateUser(ctx, u); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "用户名 %s 已被使用。", u.Username).WithField("username", "已被使用。")
			}
			return err
		}
		return appendEntry(ctx, tx, now, actor, "user.created", "", map[string]any{"user": u.ID, "role": u.Role, "entity": u.EntityID})
	})
	return u, err
}

// ErrBadLogin is the one answer to any failed login, so it reveals nothing.
var ErrBadLogin = apperr.New(apperr.Unauthorized, "用户名或密码错误。")

// Login checks a password and opens a session of kind "web" or "api". It
// returns the raw token (only its hash is stored) and the user.
func (s *Service) Login(ctx context.Context, username, password, kind, ip string) (string, Session, User, error) {
	now := s.clock.Now()
	var u User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		u, err = tx.GetUserByUsername(ctx, strings.TrimSpace(strings.ToLower(username)))
		return err
	})
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			// Spend the same time as a real check so timing does not reveal usernames.
			_, _ = CheckPassword(s.dummyHash(), password)
			return "", Session{}, User{}, ErrBadLogin
		}
		return "", Session{}, User{}, err
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil || !ok || u.Disabled {
		return "", Session{}, User{}, ErrBadLogin
	}
	token := ids.Token(32)
	ttl := WebSessionTTL
	if kind == "api" {
		ttl = APITokenTTL
	} else {
		kind = "web"
	}
	sess := Session{TokenHash: HashToken(token), UserID: u.ID, Kind: kind, CSRF: ids.Token(16), ExpiresAt: now.Add(ttl), CreatedAt: now}
	err = s.store.WithTx(ctx, func(tx Tx) error {
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		return appendEntry(ctx, tx, now, u.Actor(ip), "user.login", "", map[string]any{"kind": kind})
	})
	return token, sess, u, err
}

// dummyHash is hashed with the service's own parameters, once, on the first
// unknown username.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = HashPassword("dummy-password-1", s.pwParams) })
	return s.dummy
}

// HashToken is how tokens are stored.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Authenticate resolves a token to its session and user.
func (s *Service) Authenticate(ctx context.Context, token, kind string) (Session, User, error) {
	if token == "" {
		return Session{}, User{}, apperr.New(apperr.Unauthorized, "请先登录。")
	}
	now := s.clock.Now()
	var sess Session
	var u User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if sess, err = tx.GetSession(ctx, HashToken(token)); err != nil {
			return err
		}
		u, err = tx.GetUser(ctx, sess.UserID)
		return err
	})
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Session{}, User{}, err // a database fault is not a logout
	}
	if err != nil || now.After(sess.ExpiresAt) || sess.Kind != kind || u.Disabled {
		return Session{}, User{}, apperr.New(apperr.Unauthorized, "登录已失效，请重新登录。")
	}
	return sess, u, nil
}

// Extend renews a live session for another full period (the UI offers it
// two minutes before the end, UI.md §2.7) and returns it.
func (s *Service) Extend(ctx context.Context, token, kind string) (Session, error) {
	sess, _, err := s.Authenticate(ctx, token, kind)
	if err != nil {
		return Session{}, err
	}
	ttl := WebSessionTTL
	if kind == "api" {
		ttl = APITokenTTL
	}
	sess.ExpiresAt = s.clock.Now().Add(ttl)
	err = s.store.WithTx(ctx, func(tx Tx) error { return tx.ExtendSession(ctx, sess.TokenHash, sess.ExpiresAt) })
	return sess, err
}

// CheckCSRF compares a form token with the session's.
func CheckCSRF(sess Session, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(token)) == 1
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.WithTx(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, HashToken(token)) })
}

// Entities lists registered entities of a kind (public registry data).
func (s *Service) Entities(ctx context.Context, kind EntityKind) ([]Entity, error) {
	var out []Entity
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListEntities(ctx, kind)
		return err
	})
	return out, err
}

// Entity returns one entity.
func (s *Service) Entity(ctx context.Context, id ids.ID) (Entity, error) {
	var e Entity
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		e, err = tx.GetEntity(ctx, id)
		return err
	})
	return e, err
}

// UserByUsername looks a user up (for committee representatives).
func (s *Service) UserByUsername(ctx context.Context, username string) (User, error) {
	var u User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		u, err = tx.GetUserByUsername(ctx, strings.ToLower(username))
		return err
	})
	return u, err
}

// UserByID looks a user up by ID.
func (s *Service) UserByID(ctx context.Context, id ids.ID) (User, error) {
	var u User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		u, err = tx.GetUser(ctx, id)
		return err
	})
	return u, err
}

func appendEntry(ctx context.Context, tx Tx, now time.Time, actor Actor, typ, subject string, private map[string]any) error {
	private["actor"], private["ip"] = actor.UserID, actor.IP
	e, err := ledger.Seal(ledger.Draft{Type: typ, Subject: subject, Public: map[string]any{"role": actor.Role}, Private: private}, now)
	if err != nil {
		return err
	}
	_, err = tx.AppendLedger(ctx, e)
	return err
}
