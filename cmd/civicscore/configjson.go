package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"github.com/civicscore/civicscore/config"
)

// secretKey matches config keys whose values are never recorded.
var secretKey = regexp.MustCompile(`(?i)(salt|secret|password|passwd|token|credential|api_?key|private)`)

// redacted replaces a secret in runs.config_json.
const redacted = "[redacted]"

// configJSON returns the effective config as canonical JSON for
// runs.config_json: the config file's own keys (mapstructure names), map
// keys sorted, no HTML escaping; paths relative to the config file's folder
// so that the same project gives the same JSON wherever it lies; the config
// file's own path left out (runs.config_file has it). Secrets are left out:
// a key that names one (salt, secret, password, token, ...) has its value
// replaced, and so has any string holding salt (CIVICSCORE_SALT, which is
// never a config key; this is a second guard).
func configJSON(cfg config.Config, salt string) (string, error) {
	c := relativePaths(cfg)
	v := redact(plain(reflect.ValueOf(c)), salt)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// relativePaths returns a copy of cfg with its paths relative to the config
// file's folder (absolute when they cannot be made relative).
func relativePaths(cfg config.Config) config.Config {
	base, err := filepath.Abs(cfg.Dir())
	rel := func(p string) string {
		if p == "" || err != nil {
			return p
		}
		abs, aerr := filepath.Abs(p)
		if aerr != nil {
			return p
		}
		r, rerr := filepath.Rel(base, abs)
		if rerr != nil {
			return abs
		}
		return filepath.ToSlash(r)
	}
	c := cfg
	c.Out = rel(cfg.Out)
	c.Report.GeoJSON = rel(cfg.Report.GeoJSON)
	c.DuckDB.TempDirectory = rel(cfg.DuckDB.TempDirectory)
	for _, list := range []*[]string{&c.Inputs.Communities, &c.Inputs.Cases, &c.Inputs.Services, &c.Inputs.Surveys, &c.Inputs.Strata} {
		l := make([]string, len(*list))
		for i, p := range *list {
			l[i] = rel(p)
		}
		*list = l
	}
	return c
}

// plain turns a config value into maps, slices and scalars keyed by the
// mapstructure names of its fields; fields tagged "-" are left out, nil
// maps and slices become empty ones.
func plain(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Struct:
		m := map[string]any{}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			m[name] = plain(v.Field(i))
		}
		return m
	case reflect.Map:
		m := map[string]any{}
		for _, k := range v.MapKeys() {
			m[fmt.Sprint(k.Interface())] = plain(v.MapIndex(k))
		}
		return m
	case reflect.Slice, reflect.Array:
		l := make([]any, v.Len())
		for i := range l {
			l[i] = plain(v.Index(i))
		}
		return l
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return plain(v.Elem())
	}
	return v.Interface()
}

// redact replaces the values of secret keys, and strings holding salt.
func redact(v any, salt string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if secretKey.MatchString(k) {
				x[k] = redacted
				continue
			}
			x[k] = redact(e, salt)
		}
	case []any:
		for i, e := range x {
			x[i] = redact(e, salt)
		}
	case string:
		// A salt shorter than 8 characters would match innocent text; it
		// is no secret worth the name either.
		if len(salt) >= 8 && strings.Contains(x, salt) {
			return redacted
		}
	}
	return v
}
