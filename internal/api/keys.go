package api

import (
	"time"

	"ggzy/internal/party"
)

// KeyInput registers an SM2 public key.
type KeyInput struct {
	PEM       string    `json:"pem" doc:"SM2 公钥（PEM，PUBLIC KEY）"`
	Purpose   string    `json:"purpose" doc:"用途：bid（投标签名，投标单位）、custody（解密保管，代理机构、交易中心、监督部门人员）、platform（平台签名）"`
	Label     string    `json:"label,omitempty" doc:"备注名称"`
	ValidFrom time.Time `json:"valid_from,omitzero" doc:"生效时间，默认登记时"`
	ValidTo   time.Time `json:"valid_to,omitzero" doc:"失效时间，默认5年后"`
}

// RevokeInput revokes a key.
type RevokeInput struct {
	Reason string `json:"reason" doc:"吊销理由"`
}

// PublicKey is a registered key as published.
type PublicKey struct {
	ID            string    `json:"id"`
	Fingerprint   string    `json:"fingerprint" doc:"DER 公钥的 SM3（十六进制）"`
	Purpose       string    `json:"purpose"`
	PurposeLabel  string    `json:"purpose_label"`
	EntityID      string    `json:"entity_id,omitempty"`
	UserID        string    `json:"user_id,omitempty"`
	PEM           string    `json:"pem"`
	Label         string    `json:"label,omitempty"`
	ValidFrom     time.Time `json:"valid_from"`
	ValidTo       time.Time `json:"valid_to,omitzero"`
	RevokedAt     time.Time `json:"revoked_at,omitzero"`
	RevokedReason string    `json:"revoked_reason,omitempty"`
	Status        string    `json:"status" doc:"有效、已吊销、未生效或已过期"`
}

// KeyList is a list of keys.
type KeyList struct {
	Keys []PublicKey `json:"keys"`
}

func (s *server) keyDTO(k party.PublicKey) PublicKey {
	return PublicKey{ID: string(k.ID), Fingerprint: k.Fingerprint, Purpose: string(k.Purpose), PurposeLabel: k.Purpose.Label(), EntityID: string(k.EntityID),
		UserID: string(k.UserID), PEM: k.PEM, Label: k.Label, ValidFrom: k.ValidFrom, ValidTo: k.ValidTo, RevokedAt: k.RevokedAt,
		RevokedReason: k.RevokedReason, Status: k.StatusAt(s.d.Clock.Now())}
}

func (s *server) keyList(ks []party.PublicKey, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	out := KeyList{Keys: []PublicKey{}}
	for _, k := range ks {
		out.Keys = append(out.Keys, s.keyDTO(k))
	}
	return out, nil
}

func (s *server) registerKey(c *call) (any, error) {
	var in KeyInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	k, err := s.d.Party.RegisterKey(c.ctx(), c.actor, party.KeyInput{PEM: in.PEM, Purpose: party.KeyPurpose(in.Purpose), Label: in.Label, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo})
	if err != nil {
		return nil, err
	}
	return s.keyDTO(k), nil
}

func (s *server) myKeys(c *call) (any, error) { return s.keyList(s.d.Party.Keys(c.ctx(), c.actor)) }

func (s *server) revokeKey(c *call) (any, error) {
	var in RevokeInput
	if err := c.decode(&in, false); err != nil {
		return nil, err
	}
	k, err := s.d.Party.RevokeKey(c.ctx(), c.actor, c.r.PathValue("keyID"), in.Reason)
	if err != nil {
		return nil, err
	}
	return s.keyDTO(k), nil
}

func (s *server) entityKeys(c *call) (any, error) {
	return s.keyList(s.d.Party.EntityKeys(c.ctx(), c.r.PathValue("id")))
}

func (s *server) userKeys(c *call) (any, error) {
	return s.keyList(s.d.Party.UserKeys(c.ctx(), c.r.PathValue("id")))
}
