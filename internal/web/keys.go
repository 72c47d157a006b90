package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"ggzy/internal/apperr"
	"ggzy/internal/party"
)

// keyPurposeOf is the kind of key a user keeps on this page: a bidder the
// bid-signing key of its entity, a possible custodian a custody key of their
// own, an expert or a principal's user (who may sit on a committee as the
// principal's representative) a personal key that signs evaluation sheets
// (party.RegisterKey decides the same).
func keyPurposeOf(a party.Actor) (party.KeyPurpose, bool) {
	switch {
	case a.Role == party.RoleBidder && a.EntityID != "":
		return party.KeyBid, true
	case party.CanHoldCustody(a.Role):
		return party.KeyCustody, true
	case (a.Role == party.RoleExpert || a.Role == party.RolePrincipal) && a.UserID != "":
		return party.KeySign, true
	}
	return "", false
}

// signKeys are the user's own sheet-signing keys, newest first.
func (s *server) signKeys(ctx context.Context, a party.Actor) ([]party.PublicKey, error) {
	ks, err := s.d.Party.Keys(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []party.PublicKey
	for _, k := range ks {
		if k.Purpose == party.KeySign && k.UserID == a.UserID {
			out = append(out, k)
		}
	}
	return out, nil
}

// hasValidKey reports whether a bidder's entity has a bid key valid now.
func (s *server) hasValidKey(ctx context.Context, a party.Actor) bool {
	ks, err := s.d.Party.EntityKeys(ctx, a.EntityID)
	if err != nil {
		return true // not worth a warning on the console
	}
	now := s.d.Clock.Now()
	for _, k := range ks {
		if k.Purpose == party.KeyBid && k.ValidAt(now) {
			return true
		}
	}
	return false
}

type keyRow struct {
	K      party.PublicKey
	Status string
	Valid  bool
}

type keysData struct {
	Purpose  party.KeyPurpose
	Rows     []keyRow
	Username string
	Owner    string // whose keys: the entity or the person
	HasValid bool
	MinPass  int
	Back     string // the page that sent the user here (the evaluation room), to return to
}

// keysBack is where 我的密钥 offers to return: a console page only.
func keysBack(v string) string {
	if b := safeLocal(v, ""); strings.HasPrefix(b, "/console/") {
		return b
	}
	return ""
}

func (s *server) keysPage(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	s.renderKeys(w, r, nil)
}

func (s *server) renderKeys(w http.ResponseWriter, r *http.Request, fe *formErr) {
	ctx, a := r.Context(), s.actor(r)
	purpose, ok := keyPurposeOf(a)
	if !ok {
		s.fail(w, r, apperr.Forbiddenf("只有投标单位（投标签名密钥），招标代理机构、交易中心、行政监督部门的人员（解密保管密钥），以及评标专家和招标人的人员（评审签名密钥）需要登记密钥。"))
		return
	}
	var ks []party.PublicKey
	var err error
	d := keysData{Purpose: purpose, Username: state(r).username, MinPass: 8, Back: keysBack(r.URL.Query().Get("back"))}
	if r.Method == http.MethodPost {
		d.Back = keysBack(r.PostFormValue("back"))
	}
	switch purpose {
	case party.KeyBid:
		ks, err = s.d.Party.EntityKeys(ctx, a.EntityID)
		d.Owner = state(r).entity
	case party.KeySign:
		ks, err = s.signKeys(ctx, a)
		d.Owner = a.Name
	default:
		ks, err = s.d.Party.UserKeys(ctx, a.UserID)
		d.Owner = a.Name
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.d.Clock.Now()
	for _, k := range ks {
		row := keyRow{K: k, Status: k.StatusAt(now), Valid: k.ValidAt(now)}
		d.HasValid = d.HasValid || row.Valid
		d.Rows = append(d.Rows, row)
	}
	p := s.consolePage(r, "我的密钥", d, fe)
	p.Crumbs = []crumb{{"工作台", "/console"}, {"我的密钥", ""}}
	s.render(w, r, "keys", p)
}

// maxPEMUpload bounds an uploaded public key file (a PEM is under 1 KB).
const maxPEMUpload = 8 << 10

// registerKey registers a public key, pasted or uploaded as a file, or made
// in the browser (whose page puts only the public half in the form).
func (s *server) registerKey(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	a := s.actor(r)
	purpose, ok := keyPurposeOf(a)
	if !ok {
		s.fail(w, r, apperr.Forbiddenf("只有投标单位，招标代理机构、交易中心、行政监督部门的人员，以及评标专家和招标人的人员可以登记密钥。"))
		return
	}
	v := r.PostForm
	if r.MultipartForm != nil {
		v = url.Values(r.MultipartForm.Value)
	}
	pem := v.Get("pem")
	if f, _, err := r.FormFile("pem_file"); err == nil {
		b, err := io.ReadAll(io.LimitReader(f, maxPEMUpload))
		f.Close()
		if err == nil && strings.TrimSpace(string(b)) != "" {
			pem = string(b)
		}
	}
	k, err := s.d.Party.RegisterKey(r.Context(), a, party.KeyInput{PEM: pem, Purpose: purpose, Label: v.Get("label")})
	if err != nil {
		// Never show a pasted private key again: the domain refused it.
		vals := map[string][]string{"label": {v.Get("label")}}
		if !strings.Contains(pem, "PRIVATE KEY") {
			vals["pem"] = []string{pem}
		}
		s.renderKeys(w, r, &formErr{Form: "key", Err: apperr.As(err), Vals: vals})
		return
	}
	to := "/console/keys"
	if b := keysBack(v.Get("back")); b != "" {
		to += "?back=" + url.QueryEscape(b)
	}
	s.redirect(w, r, to, "公钥已登记（"+purpose.Label()+"），指纹 "+k.Fingerprint[:16]+"…。私钥仅保存在您本人的设备上，请妥善保管私钥文件和口令。")
}

// revokeKey ends a key for good; the form asks for a reason and an explicit
// confirmation, because a revoked key cannot be restored.
func (s *server) revokeKey(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	id := r.PathValue("id")
	form := "revoke-" + id
	if r.PostFormValue("confirm") != "1" {
		s.renderKeys(w, r, &formErr{Form: form, Err: apperr.New(apperr.Invalid, "请勾选确认：吊销后该公钥不能再使用，也不能恢复。").WithField("confirm", "请勾选确认。"), Vals: r.PostForm})
		return
	}
	k, err := s.d.Party.RevokeKey(r.Context(), s.actor(r), id, r.PostFormValue("reason"))
	if err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid || e.Code == apperr.Conflict {
			s.renderKeys(w, r, &formErr{Form: form, Err: e, Vals: r.PostForm})
			return
		}
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/console/keys", "公钥（指纹 "+k.Fingerprint[:16]+"…）已吊销。如需继续使用，请生成并登记新的密钥。")
}
