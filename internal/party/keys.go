package party

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
)

// The public key registry (issue 3 §2, DESIGN.md §6.2): market entities
// register the SM2 keys that sign their sealed bids; custodians (people in
// agencies, the trading centre and supervising departments) register the keys
// that bid-key shares are encrypted to; the platform registers the key that
// signs ledger checkpoints. Public keys are public. A key is named by its
// fingerprint (gm: hex SM3 of its PKIX DER). Keys are never deleted: a key
// ends by expiry or by revocation, and its history stays.

// KeyPurpose is what a registered public key is for.
type KeyPurpose string

const (
	KeyBid      KeyPurpose = "bid"      // an entity's key that signs its sealed bids
	KeyCustody  KeyPurpose = "custody"  // a custodian person's key that receives bid-key shares
	KeyPlatform KeyPurpose = "platform" // the platform's checkpoint-signing key
	// KeySign is a committee member's personal key that signs evaluation
	// sheets (评审意见签名): experts and the principal's representatives.
	KeySign KeyPurpose = "sign"
)

// KeyPurposes lists the purposes in display order.
var KeyPurposes = []KeyPurpose{KeyBid, KeyCustody, KeyPlatform, KeySign}

// Valid reports whether p is a known purpose.
func (p KeyPurpose) Valid() bool {
	return p == KeyBid || p == KeyCustody || p == KeyPlatform || p == KeySign
}

// Label is the Chinese name of a purpose.
func (p KeyPurpose) Label() string {
	switch p {
	case KeyBid:
		return "投标签名"
	case KeyCustody:
		return "解密（保管）"
	case KeyPlatform:
		return "平台签名"
	case KeySign:
		return "评审签名"
	}
	return "未知用途"
}

// Limits of the registry.
const (
	// KeyMaxValidityYears bounds a key's validity; a key registered without
	// an end gets exactly this much.
	KeyMaxValidityYears = 5
	maxPEMBytes         = 4096
	maxKeyLabelRunes    = 50
	maxRevokeReason     = 200
)

// PublicKey is a registered SM2 public key.
type PublicKey struct {
	ID            ids.ID
	Fingerprint   string // lowercase hex SM3 of the PKIX DER (64 characters)
	Purpose       KeyPurpose
	EntityID      ids.ID // bid keys: the entity whose bids it signs
	UserID        ids.ID // custody keys: the custodian
	PEM           string // canonical PKIX "PUBLIC KEY" PEM
	Label         string // the owner's own name for it ("财务U盾" …)
	ValidFrom     time.Time
	ValidTo       time.Time // zero: open-ended (RegisterKey always sets it)
	RevokedAt     time.Time // zero: not revoked
	RevokedReason string
	CreatedAt     time.Time
	CreatedBy     ids.ID
}

// KeyFilter selects keys; empty fields do not filter.
type KeyFilter struct {
	EntityID ids.ID
	UserID   ids.ID
	Purpose  KeyPurpose
}

// ValidAt reports whether k may be used at t: within its validity
// [ValidFrom, ValidTo) and not revoked at or before t.
func (k PublicKey) ValidAt(t time.Time) bool {
	if t.Before(k.ValidFrom) {
		return false
	}
	if !k.ValidTo.IsZero() && !t.Before(k.ValidTo) {
		return false
	}
	return k.RevokedAt.IsZero() || t.Before(k.RevokedAt)
}

// SM2 parses the key for signature checks and encryption. The PEM must
// still match the fingerprint (which the ledger recorded), so a key row
// changed behind the application's back is refused, not used.
func (k PublicKey) SM2() (*gm.PublicKey, error) {
	pub, err := gm.ParsePublicKeyPEM([]byte(k.PEM))
	if err != nil {
		return nil, fmt.Errorf("party: stored key %s: %w", k.Fingerprint, err)
	}
	if pub.Fingerprint() != k.Fingerprint {
		return nil, fmt.Errorf("party: stored key %s: PEM does not match its fingerprint", k.Fingerprint)
	}
	return pub, nil
}

// Revoked reports whether k has been revoked.
func (k PublicKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// Owner is the entity (bid keys) or user (custody keys) the key belongs to;
// "" for the platform's keys.
func (k PublicKey) Owner() ids.ID {
	switch k.Purpose {
	case KeyBid:
		return k.EntityID
	case KeyCustody, KeySign:
		return k.UserID
	}
	return ""
}

// StatusAt is the key's state at t in Chinese: 有效, 已吊销, 未生效 or 已过期.
func (k PublicKey) StatusAt(t time.Time) string {
	switch {
	case k.Revoked() && !t.Before(k.RevokedAt):
		return "已吊销"
	case t.Before(k.ValidFrom):
		return "未生效"
	case !k.ValidTo.IsZero() && !t.Before(k.ValidTo):
		return "已过期"
	}
	return "有效"
}

// CanHoldCustody reports whether users of role may be custodians of sealed
// bids (hold a custody key): agency staff, the trading centre and
// supervising departments.
func CanHoldCustody(r Role) bool {
	return r == RoleAgency || r == RoleOperator || r == RoleSupervisor
}

// CustodianOrg names the organisation custodian u acts for, so that a lot's
// custodians can be required to come from different organisations: key is a
// stable identifier ("entity:<ID>", "centre", "dept:<部门>"), label its
// Chinese name. entity is u's entity (used for agency users only; its Name
// is the label). Users who cannot be custodians (CanHoldCustody) get "", "".
func CustodianOrg(u User, entity Entity) (key, label string) {
	switch u.Role {
	case RoleAgency:
		label = entity.Name
		if label == "" || entity.ID != u.EntityID {
			label = RoleAgency.Label()
		}
		return "entity:" + string(u.EntityID), label
	case RoleOperator:
		return "centre", "交易中心"
	case RoleSupervisor:
		return "dept:" + u.Department, u.Department + "行政监督部门"
	}
	return "", ""
}

// CustodianOrgOf is CustodianOrg for a registered user.
func (s *Service) CustodianOrgOf(ctx context.Context, userID ids.ID) (key, label string, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		u, err := tx.GetUser(ctx, userID)
		if err != nil {
			return err
		}
		var e Entity
		if u.Role == RoleAgency && u.EntityID != "" {
			if e, err = tx.GetEntity(ctx, u.EntityID); err != nil {
				return err
			}
		}
		key, label = CustodianOrg(u, e)
		return nil
	})
	return key, label, err
}

// KeyInput registers a public key.
type KeyInput struct {
	PEM       string
	Purpose   KeyPurpose
	Label     string
	ValidFrom time.Time // zero or past: the registration time
	ValidTo   time.Time // zero: ValidFrom + KeyMaxValidityYears
}

// keyOwner decides who may register a key of purpose p and whose it is.
func keyOwner(actor Actor, p KeyPurpose) (entityID, userID ids.ID, err error) {
	switch p {
	case KeyBid:
		if actor.Role != RoleBidder || actor.EntityID == "" {
			return "", "", apperr.Forbiddenf("投标签名公钥由投标人（市场主体）的用户为本单位登记。")
		}
		return actor.EntityID, "", nil
	case KeyCustody:
		if !CanHoldCustody(actor.Role) || actor.UserID == "" {
			return "", "", apperr.Forbiddenf("解密（保管）公钥只能由招标代理机构、交易中心或行政监督部门的人员为本人登记。")
		}
		return "", actor.UserID, nil
	case KeySign:
		if (actor.Role != RoleExpert && actor.Role != RolePrincipal) || actor.UserID == "" {
			return "", "", apperr.Forbiddenf("评审签名公钥由评标专家或招标人代表为本人登记。")
		}
		return "", actor.UserID, nil
	case KeyPlatform:
		if actor.Role != RoleOperator && actor.Role != RoleAdmin && actor.Role != RoleSystem {
			return "", "", apperr.Forbiddenf("平台签名公钥由交易中心或系统管理员登记。")
		}
		return "", "", nil
	}
	return "", "", apperr.New(apperr.Invalid, "请选择公钥用途。").WithField("purpose", "用途无效。")
}

// parseKeyPEM parses a submitted SM2 public key; the error message is the
// one shown on the field.
func parseKeyPEM(text string) (*gm.PublicKey, string) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return nil, "请粘贴或上传公钥（PEM 格式）。"
	case strings.Contains(text, "PRIVATE KEY"):
		// Never echo or keep it.
		return nil, "您提交的是私钥！请只提交公钥；私钥须由本人妥善保管，如已外泄请重新生成密钥。"
	case len(text) > maxPEMBytes:
		return nil, "公钥格式错误：内容过长，请只提交一个 PEM 格式的公钥。"
	}
	pub, err := gm.ParsePublicKeyPEM([]byte(text))
	if err != nil {
		if errors.Is(err, gm.ErrNotSM2Key) {
			return nil, "仅接受 SM2 公钥。"
		}
		return nil, "公钥格式错误：请提交以 -----BEGIN PUBLIC KEY----- 开头的 PEM 格式 SM2 公钥。"
	}
	return pub, ""
}

// RegisterKey registers a public key: a bidder user a bid key for its own
// entity; an agency, operator or supervisor user a custody key for themself;
// an operator, admin or the platform itself the platform key. The same key
// (fingerprint) can be registered once only, for one owner and purpose.
func (s *Service) RegisterKey(ctx context.Context, actor Actor, in KeyInput) (PublicKey, error) {
	entityID, userID, err := keyOwner(actor, in.Purpose)
	if err != nil {
		return PublicKey{}, err
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	f := map[string]string{}
	pub, msg := parseKeyPEM(in.PEM)
	if msg != "" {
		f["pem"] = msg
	}
	label := strings.TrimSpace(in.Label)
	if utf8.RuneCountInString(label) > maxKeyLabelRunes {
		f["label"] = "名称不超过50个字。"
	}
	from, to := in.ValidFrom.UTC().Truncate(time.Microsecond), in.ValidTo.UTC().Truncate(time.Microsecond)
	if in.ValidFrom.IsZero() || from.Before(now) {
		from = now // a key cannot have been valid before it was registered
	}
	limit := from.AddDate(KeyMaxValidityYears, 0, 0)
	switch {
	case in.ValidTo.IsZero():
		to = limit
	case !to.After(from):
		f["valid_to"] = "失效时间应晚于生效时间。"
	case to.After(limit):
		f["valid_to"] = "公钥有效期最长5年。"
	}
	if len(f) > 0 {
		top := "公钥信息有误，请按提示修改。"
		if f["pem"] != "" {
			top = f["pem"]
		}
		return PublicKey{}, apperr.Fields(top, f)
	}
	k := PublicKey{ID: s.ids.New(now), Fingerprint: pub.Fingerprint(), Purpose: in.Purpose, EntityID: entityID, UserID: userID,
		PEM: string(pub.MarshalPEM()), Label: label, ValidFrom: from, ValidTo: to, CreatedAt: now, CreatedBy: actor.UserID}
	err = s.store.WithTx(ctx, func(tx Tx) error {
		if entityID != "" {
			if _, err := tx.GetEntity(ctx, entityID); err != nil {
				return err
			}
		}
		if err := tx.CreateKey(ctx, k); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "该公钥（指纹 %s）已登记，同一公钥不能重复登记；如需更换请生成新的密钥。", shortFP(k.Fingerprint)).WithField("pem", "已登记。")
			}
			return err
		}
		return appendKeyEntry(ctx, tx, now, actor, "key.registered", k)
	})
	if err != nil {
		return PublicKey{}, err
	}
	return k, nil
}

// RevokeKey revokes a key for good, at the current time. The owner (a user of
// the same entity for bid keys, the same user for custody keys) or an
// operator or admin may revoke; platform keys only an operator, admin or the
// platform itself. The reason is required and public.
func (s *Service) RevokeKey(ctx context.Context, actor Actor, keyID ids.ID, reason string) (PublicKey, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return PublicKey{}, apperr.New(apperr.Invalid, "请填写吊销原因。").WithField("reason", "请填写吊销原因。")
	}
	if utf8.RuneCountInString(reason) > maxRevokeReason {
		return PublicKey{}, apperr.New(apperr.Invalid, "吊销原因不超过200个字。").WithField("reason", "不超过200个字。")
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	var k PublicKey
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if k, err = tx.GetKey(ctx, keyID); err != nil {
			return err
		}
		if !mayRevoke(actor, k) {
			return apperr.Forbiddenf("只能吊销本单位或本人的公钥；平台签名公钥由交易中心或系统管理员吊销。")
		}
		if k.Revoked() {
			return revokedConflict(k)
		}
		k.RevokedAt, k.RevokedReason = now, reason
		if err := tx.UpdateKey(ctx, k); err != nil {
			return err
		}
		return appendKeyEntry(ctx, tx, now, actor, "key.revoked", k)
	})
	if err != nil {
		return PublicKey{}, err
	}
	return k, nil
}

func mayRevoke(a Actor, k PublicKey) bool {
	switch {
	case a.Role == RoleOperator || a.Role == RoleAdmin || a.Role == RoleSystem:
		return true
	case k.Purpose == KeyBid:
		return a.Role == RoleBidder && a.EntityID != "" && a.EntityID == k.EntityID
	case k.Purpose == KeyCustody || k.Purpose == KeySign:
		return a.UserID != "" && a.UserID == k.UserID
	}
	return false
}

func revokedConflict(k PublicKey) error {
	return apperr.New(apperr.Conflict, "该公钥已于%s吊销，吊销不可撤回。", fmtKeyTime(k.RevokedAt))
}

// Keys lists the keys the actor sees as "mine": a bidder its entity's bid
// keys, other users their own custody keys; operators, admins, auditors (and
// the platform) every key. Newest first.
func (s *Service) Keys(ctx context.Context, actor Actor) ([]PublicKey, error) {
	var f KeyFilter
	switch {
	case actor.Role == RoleOperator || actor.Role == RoleAdmin || actor.Role == RoleAuditor || actor.Role == RoleSystem:
	case actor.UserID == "":
		return nil, apperr.New(apperr.Unauthorized, "请先登录。")
	case actor.Role == RoleBidder:
		if actor.EntityID == "" {
			return []PublicKey{}, nil
		}
		f = KeyFilter{EntityID: actor.EntityID, Purpose: KeyBid}
	case actor.Role == RoleExpert || actor.Role == RolePrincipal:
		f = KeyFilter{UserID: actor.UserID}
	default:
		f = KeyFilter{UserID: actor.UserID, Purpose: KeyCustody}
	}
	return s.listKeys(ctx, f)
}

// EntityKeys lists an entity's bid keys, newest first (public).
func (s *Service) EntityKeys(ctx context.Context, entityID ids.ID) ([]PublicKey, error) {
	var out []PublicKey
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, err := tx.GetEntity(ctx, entityID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListKeys(ctx, KeyFilter{EntityID: entityID, Purpose: KeyBid})
		return err
	})
	return nonNil(out), err
}

// UserKeys lists a user's custody keys, newest first (public).
func (s *Service) UserKeys(ctx context.Context, userID ids.ID) ([]PublicKey, error) {
	var out []PublicKey
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, err := tx.GetUser(ctx, userID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListKeys(ctx, KeyFilter{UserID: userID, Purpose: KeyCustody})
		return err
	})
	return nonNil(out), err
}

// PlatformKeys lists the platform's checkpoint-signing keys, newest first
// (public: verifiers of the ledger need them).
func (s *Service) PlatformKeys(ctx context.Context) ([]PublicKey, error) {
	return s.listKeys(ctx, KeyFilter{Purpose: KeyPlatform})
}

func (s *Service) listKeys(ctx context.Context, f KeyFilter) ([]PublicKey, error) {
	var out []PublicKey
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListKeys(ctx, f)
		return err
	})
	return nonNil(out), err
}

func nonNil(ks []PublicKey) []PublicKey {
	if ks == nil {
		return []PublicKey{}
	}
	return ks
}

// Key returns one key by ID (public).
func (s *Service) Key(ctx context.Context, id ids.ID) (PublicKey, error) {
	var k PublicKey
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		k, err = tx.GetKey(ctx, id)
		return err
	})
	return k, err
}

// NormalizeFingerprint trims and lowercases a fingerprint as typed or sent.
func NormalizeFingerprint(fp string) string { return strings.ToLower(strings.TrimSpace(fp)) }

// KeyByFingerprint returns the key with that fingerprint (public).
func (s *Service) KeyByFingerprint(ctx context.Context, fp string) (PublicKey, error) {
	var k PublicKey
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		k, err = tx.GetKeyByFingerprint(ctx, NormalizeFingerprint(fp))
		return err
	})
	return k, err
}

// ValidBidKey returns the key with fingerprint fp if it is a bid key of the
// entity valid at at (the bid's submission time); otherwise an apperr Invalid
// saying why: 未登记, 不属于该投标人, 已吊销于…, 不在有效期内. The bid intake
// calls it before verifying a sealed bid's signature with the key's PEM.
func (s *Service) ValidBidKey(ctx context.Context, entityID ids.ID, fp string, at time.Time) (PublicKey, error) {
	fp = NormalizeFingerprint(fp)
	if !isFingerprint(fp) {
		return PublicKey{}, apperr.New(apperr.Invalid, "签名公钥指纹格式错误：应为64位十六进制（SM3）。")
	}
	k, err := s.KeyByFingerprint(ctx, fp)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return PublicKey{}, apperr.New(apperr.Invalid, "签名公钥（指纹 %s）未登记：请先登记投标签名公钥，再用对应的私钥签名。", shortFP(fp))
		}
		return PublicKey{}, err
	}
	if err := checkBidKey(k, entityID, at); err != nil {
		return PublicKey{}, err
	}
	return k, nil
}

// checkBidKey is ValidBidKey's decision on a found key.
func checkBidKey(k PublicKey, entityID ids.ID, at time.Time) error {
	fp := shortFP(k.Fingerprint)
	switch {
	case k.Purpose != KeyBid:
		return apperr.New(apperr.Invalid, "签名公钥（指纹 %s）登记用途为“%s”，不能用于投标签名。", fp, k.Purpose.Label())
	case entityID == "" || k.EntityID != entityID:
		return apperr.New(apperr.Invalid, "签名公钥（指纹 %s）不属于该投标人。", fp)
	case k.Revoked() && !at.Before(k.RevokedAt):
		return apperr.New(apperr.Invalid, "签名公钥（指纹 %s）已吊销于%s（%s），不能用于投标签名。", fp, fmtKeyTime(k.RevokedAt), k.RevokedReason)
	case !k.ValidAt(at):
		return apperr.New(apperr.Invalid, "签名公钥（指纹 %s）不在有效期内（有效期%s）。", fp, validityText(k))
	}
	return nil
}

// ValidSignKey returns the user's sign key with that fingerprint, valid at
// at: the key an evaluation sheet's signature is checked with.
func (s *Service) ValidSignKey(ctx context.Context, userID ids.ID, fp string, at time.Time) (PublicKey, error) {
	fp = NormalizeFingerprint(fp)
	if !isFingerprint(fp) {
		return PublicKey{}, apperr.New(apperr.Invalid, "签名公钥指纹格式错误：应为64位十六进制（SM3）。").WithField("signature", "指纹格式错误")
	}
	k, err := s.KeyByFingerprint(ctx, fp)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return PublicKey{}, apperr.New(apperr.Invalid, "评审签名公钥（指纹 %s）未登记：请先在“我的密钥”登记评审签名公钥。", shortFP(fp)).WithField("signature", "公钥未登记")
		}
		return PublicKey{}, err
	}
	sfp := shortFP(k.Fingerprint)
	switch {
	case k.Purpose != KeySign:
		return PublicKey{}, apperr.New(apperr.Invalid, "公钥（指纹 %s）登记用途为“%s”，不能用于评审签名。", sfp, k.Purpose.Label()).WithField("signature", "用途不符")
	case userID == "" || k.UserID != userID:
		return PublicKey{}, apperr.New(apperr.Invalid, "评审签名公钥（指纹 %s）不是您本人的。", sfp).WithField("signature", "不是本人的公钥")
	case k.Revoked() && !at.Before(k.RevokedAt):
		return PublicKey{}, apperr.New(apperr.Invalid, "评审签名公钥（指纹 %s）已吊销于%s。", sfp, fmtKeyTime(k.RevokedAt)).WithField("signature", "公钥已吊销")
	case !k.ValidAt(at):
		return PublicKey{}, apperr.New(apperr.Invalid, "评审签名公钥（指纹 %s）不在有效期内（有效期%s）。", sfp, validityText(k)).WithField("signature", "不在有效期内")
	}
	return k, nil
}

// ValidCustodyKey returns the user's newest custody key valid at at (the
// key bid-key shares for that custodian are encrypted to). A user who cannot
// or can no longer be a custodian, or has no such key, gets an apperr NotFound.
func (s *Service) ValidCustodyKey(ctx context.Context, userID ids.ID, at time.Time) (PublicKey, error) {
	var ks []PublicKey
	var u User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if u, err = tx.GetUser(ctx, userID); err != nil {
			return err
		}
		ks, err = tx.ListKeys(ctx, KeyFilter{UserID: userID, Purpose: KeyCustody})
		return err
	})
	if err != nil {
		return PublicKey{}, err
	}
	if u.Disabled || !CanHoldCustody(u.Role) {
		return PublicKey{}, apperr.New(apperr.NotFound, "%s不能担任解密（保管）人：只有在用的招标代理机构、交易中心或行政监督部门人员可以。", u.Name)
	}
	for _, k := range ks { // newest first
		if k.ValidAt(at) {
			return k, nil
		}
	}
	return PublicKey{}, apperr.New(apperr.NotFound, "该人员尚未登记有效的解密（保管）公钥。")
}

// appendKeyEntry records a registration or revocation. The key, its owner
// and its validity are public (public keys are); the actor and IP are
// committed, as for every entry.
func appendKeyEntry(ctx context.Context, tx Tx, now time.Time, actor Actor, typ string, k PublicKey) error {
	pub := map[string]any{
		"role":        actor.Role,
		"fingerprint": k.Fingerprint,
		"purpose":     k.Purpose,
		"owner":       k.Owner(),
		"valid_from":  jsonTime(k.ValidFrom),
		"valid_to":    jsonTime(k.ValidTo),
	}
	if k.Revoked() {
		pub["revoked_at"], pub["revoked_reason"] = jsonTime(k.RevokedAt), k.RevokedReason
	}
	priv := map[string]any{"actor": actor.UserID, "ip": actor.IP, "key": k.ID, "label": k.Label}
	e, err := ledger.Seal(ledger.Draft{Type: typ, Subject: k.Fingerprint, Public: pub, Private: priv}, now)
	if err != nil {
		return err
	}
	_, err = tx.AppendLedger(ctx, e)
	return err
}

// jsonTime is a stable UTC text for ledger payloads; "" for the zero time.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// fmtKeyTime shows a time to users (北京时间).
func fmtKeyTime(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02 15:04") }

func validityText(k PublicKey) string {
	if k.ValidTo.IsZero() {
		return "自" + fmtKeyTime(k.ValidFrom) + "起"
	}
	return fmtKeyTime(k.ValidFrom) + "至" + fmtKeyTime(k.ValidTo)
}

// isFingerprint reports whether fp looks like a normalised fingerprint.
func isFingerprint(fp string) bool {
	if len(fp) != 64 {
		return false
	}
	return strings.Trim(fp, "0123456789abcdef") == ""
}

// shortFP shortens a fingerprint for messages.
func shortFP(fp string) string {
	if len(fp) > 16 {
		return fp[:16] + "…"
	}
	return fp
}

// CustodyCandidates lists the active users who may hold custody of bid keys
// (agency, trading-centre and supervising-department staff), by username.
func (s *Service) CustodyCandidates(ctx context.Context) ([]User, error) {
	var out []User
	err := s.store.Read(ctx, func(tx Tx) error {
		us, err := tx.ListUsers(ctx, "")
		for _, u := range us {
			if !u.Disabled && CanHoldCustody(u.Role) {
				out = append(out, u)
			}
		}
		return err
	})
	return out, err
}
