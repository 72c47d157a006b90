package api

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// buildOpenAPI generates the OpenAPI 3.1 document from the route table; the
// schemas come from the DTO types by reflection, so they cannot drift from
// what the handlers send.
func buildOpenAPI(routes []route, site string) map[string]any {
	g := &schemaGen{comps: map[string]any{}}
	g.of(reflect.TypeOf(ErrorEnvelope{}))
	errResp := map[string]any{"description": "错误（统一错误信封）", "content": map[string]any{
		"application/json": map[string]any{"schema": ref("ErrorEnvelope")}}}
	paths := map[string]any{}
	tags := map[string]bool{}
	for i, rt := range routes {
		op := map[string]any{
			"operationId": operationID(rt, i),
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
		}
		tags[rt.Tag] = true
		switch rt.Auth {
		case authRequired:
			op["security"] = []any{map[string]any{"bearer": []string{}}}
		case authOptional:
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{}}
		case authNone:
			op["security"] = []any{}
		}
		var params []any
		for _, name := range pathParams(rt.Path) {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			sch := map[string]any{"type": q.Type}
			switch q.Type {
			case "date":
				sch = map[string]any{"type": "string", "format": "date"}
			case "integer":
				sch = map[string]any{"type": "integer", "minimum": 1, "maximum": 100}
			case "uint":
				sch = map[string]any{"type": "integer", "minimum": 0}
			}
			params = append(params, map[string]any{"name": q.Name, "in": "query", "required": q.Required, "description": q.Doc, "schema": sch})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		switch b := rt.Body.(type) {
		case nil:
		case binaryBody:
			op["requestBody"] = map[string]any{"required": true, "description": "文件原始字节，上限见部署配置", "content": map[string]any{
				"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}}
		default:
			op["requestBody"] = map[string]any{"required": true, "description": "JSON，不超过 1 MB，不接受未知字段", "content": map[string]any{
				"application/json": map[string]any{"schema": g.of(reflect.TypeOf(b))}}}
		}
		resps := map[string]any{"default": errResp}
		code := strconv.Itoa(rt.Status)
		switch b := rt.Resp.(type) {
		case nil:
			resps[code] = map[string]any{"description": "成功，无内容"}
		case binaryBody:
			resps[code] = map[string]any{"description": "文件内容", "content": map[string]any{
				"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}}
		case pdfBody:
			resps[code] = map[string]any{"description": "PDF 文件（平台 SM2 签名在响应头中，可用 GET /api/v1/ledger/key 公布的公钥核验）",
				"headers": map[string]any{
					"X-Content-SM3":   map[string]any{"description": "PDF 字节的 SM3 摘要（十六进制）", "schema": map[string]any{"type": "string"}},
					"X-Signature-SM2": map[string]any{"description": "平台密钥对 PDF 字节的 SM2 签名（ASN.1 DER 的标准 Base64，默认用户标识）", "schema": map[string]any{"type": "string"}},
				},
				"content": map[string]any{"application/pdf": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/pdf"}}}}
		case sseBody:
			resps[code] = map[string]any{"description": "server-sent events 事件流：每个事件有 id（提交序号）、event（事件类型）和 data（JSON）；另有 reset 事件表示须重新加载状态",
				"content": map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}, "x-event-data": g.of(reflect.TypeOf(SaleEvent{}))}}}
		case textBody:
			resps[code] = map[string]any{"description": "文本", "content": map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}}
		case map[string]any:
			resps[code] = map[string]any{"description": "成功", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
		default:
			resps[code] = map[string]any{"description": "成功", "content": map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(b))}}}
		}
		if rt.Path == v1+"/auth/login" {
			resps["429"] = map[string]any{"description": "登录过于频繁", "headers": map[string]any{
				"Retry-After": map[string]any{"description": "可再次尝试前需等待的秒数", "schema": map[string]any{"type": "integer"}}},
				"content": errResp["content"]}
		}
		op["responses"] = resps
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	// The bid content is a Base64 string or, for plain-v1, the object itself.
	if bi, ok := g.comps["BidInput"].(map[string]any); ok {
		props := bi["properties"].(map[string]any)
		c := props["content"].(map[string]any)
		c["oneOf"] = []any{
			map[string]any{"type": "string", "contentEncoding": "base64", "description": "内容字节的标准 Base64"},
			g.of(reflect.TypeOf(PlainBidContent{})),
		}
	}
	var tagList []any
	for _, t := range []string{"meta", "auth", "rules", "notices", "projects", "lots", "bids", "evaluation", "award", "console", "registry", "keys", "custody", "ledger", "experts", "sales"} {
		if tags[t] {
			tagList = append(tagList, map[string]any{"name": t})
		}
	}
	if site == "" {
		site = "公共资源交易平台"
	}
	return map[string]any{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": map[string]any{
			"title":   site + "开放接口",
			"version": "1.0.0",
			"description": "JSON 字段为 snake_case；金额为以分为单位的整数（字段名以 _fen 结尾），另附显示用字符串；时间为 RFC 3339。" +
				"错误统一为 {\"error\":{\"code\",\"message\",\"fields\",\"basis\"}}。以 Authorization: Bearer <令牌> 认证，不使用 Cookie。",
		},
		"servers":    []any{map[string]any{"url": "/"}},
		"tags":       tagList,
		"paths":      paths,
		"components": map[string]any{"schemas": g.comps, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/login 返回的令牌"}}},
	}
}

var paramRE = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

func pathParams(p string) []string {
	var out []string
	for _, m := range paramRE.FindAllStringSubmatch(p, -1) {
		out = append(out, m[1])
	}
	return out
}

func operationID(rt route, i int) string {
	s := strings.ToLower(rt.Method) + strings.NewReplacer("/api/v1", "", "/api", "", "{", "", "}", "", ".", "_").Replace(rt.Path)
	s = strings.ReplaceAll(s, "/", "_")
	if s == "" {
		s = "op" + strconv.Itoa(i)
	}
	return s
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

type schemaGen struct{ comps map[string]any }

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

func (g *schemaGen) of(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.of(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		if _, ok := g.comps[t.Name()]; !ok {
			g.comps[t.Name()] = map[string]any{} // placeholder against recursion
			g.comps[t.Name()] = g.object(t)
		}
		return ref(t.Name())
	}
	return map[string]any{}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			s := g.of(f.Type)
			if doc := f.Tag.Get("doc"); doc != "" {
				if _, isRef := s["$ref"]; isRef {
					s = map[string]any{"allOf": []any{s}, "description": doc}
				} else {
					c := map[string]any{"description": doc}
					for k, v := range s {
						c[k] = v
					}
					s = c
				}
			}
			omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
			if f.Type.Kind() == reflect.Pointer && !omit {
				s = map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
			}
			props[name] = s
			if !omit {
				required = append(required, name)
			}
		}
	}
	walk(t)
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}
