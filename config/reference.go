package config

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The meanings in docs/config.md are the doc comments of the fields of
// Config and its section structs. config.go is embedded in the binary
// (rather than parsed from the source tree at test time), so that the
// reference can be rendered anywhere, the tests and the command alike.
//
//go:embed config.go
var configSource []byte

// openKeys names the sub-keys of each map-valued key, for the reference:
// mapping.<kind>.<column>. Every map key must be listed (and be one of
// openMaps, where any sub-key is allowed).
var openKeys = map[string]string{
	"mapping":         "<kind>.<column>",
	"personal":        "<kind>",
	"sheet":           "<kind>",
	"formats":         "<kind>.<column>",
	"values":          "<kind>.<column>.<value>",
	"derive":          "<kind>.<column>",
	"sla.by_category": "<category>",
	"score.weights":   "<component>",
	"targets":         "<indicator>",
}

// Key is one config key as the reference lists it.
type Key struct {
	// Name is the key, dotted: sla.default_hours, mapping.<kind>.<column>.
	Name string
	// Type is the value's type in words.
	Type string
	// Default is the value of Default(), written as in YAML.
	Default string
	// Env is the environment variable that sets it ("" when none does).
	Env string
	// Doc is the field's doc comment.
	Doc string
	// Group is the top-level section the key is in ("" for a top-level key).
	Group string
	// Section is the doc comment of the group's struct type.
	Section string
}

// Keys returns every config key: the fields of Config, depth first in
// declaration order, with their defaults from Default() and their meanings
// from the doc comments of config.go. A field without a doc comment, or a
// map key without a placeholder in openKeys, is an error.
func Keys() ([]Key, error) {
	docs, typeDocs, err := fieldDocs(configSource)
	if err != nil {
		return nil, err
	}
	fixed := defaults()
	var keys []Key
	var errs []error
	var walk func(v reflect.Value, prefix, group, section string)
	walk = func(v reflect.Value, prefix, group, section string) {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("mapstructure")
			if tag == "" || tag == "-" {
				continue
			}
			name := prefix + tag
			d := docs[t.Name()+"."+f.Name]
			if d == "" {
				errs = append(errs, fmt.Errorf("config.go: field %s.%s (%s) has no doc comment", t.Name(), f.Name, name))
			}
			fv := v.Field(i)
			if f.Type.Kind() == reflect.Struct {
				if group == "" {
					walk(fv, name+".", tag, typeDocs[f.Type.Name()])
				} else {
					walk(fv, name+".", group, section)
				}
				continue
			}
			k := Key{Name: name, Type: typeWords(f.Type), Default: yamlValue(fv), Doc: meaning(f.Name, d), Group: group, Section: section}
			if _, ok := fixed[name]; ok {
				k.Env = envName(name)
			}
			if f.Type.Kind() == reflect.Map {
				sub, ok := openKeys[name]
				if !ok || !slices.Contains(openMaps, name+".") {
					errs = append(errs, fmt.Errorf("config.go: map key %s needs a placeholder in openKeys and an entry in openMaps", name))
				}
				k.Name = name + "." + sub
				if name == "score.weights" {
					k.Env = envName(name) + "_<COMPONENT>"
				}
			}
			keys = append(keys, k)
		}
	}
	walk(reflect.ValueOf(Default()), "", "", "")
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return keys, nil
}

// fieldDocs parses Go source and returns the doc comment of each struct
// field, keyed Type.Field, and of each type, as plain text.
func fieldDocs(src []byte) (fields, types map[string]string, err error) {
	f, err := parser.ParseFile(token.NewFileSet(), "config.go", src, parser.ParseComments)
	if err != nil {
		return nil, nil, fmt.Errorf("parse config.go: %w", err)
	}
	fields, types = map[string]string{}, map[string]string{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			doc := ts.Doc
			if doc == nil {
				doc = gd.Doc
			}
			types[ts.Name.Name] = plain(doc)
			for _, fld := range st.Fields.List {
				for _, n := range fld.Names {
					fields[ts.Name.Name+"."+n.Name] = plain(fld.Doc)
				}
			}
		}
	}
	return fields, types, nil
}

// plain returns a comment group's text on one line.
func plain(g *ast.CommentGroup) string {
	if g == nil {
		return ""
	}
	var p comment.Parser
	var pr comment.Printer
	pr.TextWidth = -1
	text := string(pr.Text(p.Parse(g.Text())))
	return strings.Join(strings.Fields(text), " ")
}

// meaning drops the field's name from the start of its doc comment
// ("Timezone is the IANA zone…" → "The IANA zone…", "MemoryLimit caps…" →
// "Caps…").
func meaning(field, doc string) string {
	for _, lead := range []string{field + " is ", field + " are ", field + ": ", field + " "} {
		rest, ok := strings.CutPrefix(doc, lead)
		if !ok {
			continue
		}
		r, n := utf8.DecodeRuneInString(rest)
		if lead == field+" " && !unicode.IsLower(r) {
			break // the name is part of a sentence that needs it
		}
		return string(unicode.ToUpper(r)) + rest[n:]
	}
	return doc
}

// envName is the environment variable of a key: CIVICSCORE_SLA_DEFAULT_HOURS.
func envName(key string) string {
	return "CIVICSCORE_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// typeWords names a Go type in words.
func typeWords(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Float64, reflect.Float32:
		return "number"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice:
		return "list of " + plural(typeWords(t.Elem()))
	case reflect.Map:
		return "map of " + plural(typeWords(t.Elem()))
	case reflect.Struct:
		return strings.ToLower(t.Name()) + " setting"
	}
	return t.String()
}

func plural(w string) string {
	switch {
	case w == "text":
		return "texts"
	case strings.HasPrefix(w, "list of "), strings.HasPrefix(w, "map of "):
		return strings.Replace(strings.Replace(w, "list of ", "lists of ", 1), "map of ", "maps of ", 1)
	}
	return w + "s"
}

// yamlValue writes a default value as it would be written in YAML.
func yamlValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			return `""`
		}
		return v.String()
	case reflect.Slice:
		var parts []string
		for i := range v.Len() {
			parts = append(parts, yamlValue(v.Index(i)))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		var ks []string
		for _, k := range v.MapKeys() {
			ks = append(ks, k.String())
		}
		sort.Strings(ks)
		var parts []string
		for _, k := range ks {
			parts = append(parts, k+": "+yamlValue(v.MapIndex(reflect.ValueOf(k))))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v.Interface())
}

// WriteReference writes the reference of every config key as Markdown:
// its default, type, environment variable and meaning. It is
// docs/config.md.
func WriteReference(w io.Writer) error {
	keys, err := Keys()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format+"\n", args...) }
	p("# Config")
	p("")
	p("<!-- Generated by config.WriteReference from config.Default() and the doc comments of config/config.go; do not edit. Regenerate: make docs -->")
	p("")
	p("civicscore reads one config file, YAML (or TOML or JSON, by its extension), given with")
	p("`--config`. Every key is optional: a key not set takes the default below. A key can also be set in")
	p("the environment as `CIVICSCORE_<KEY>`, the key in capitals with `_` for `.`")
	p("(`CIVICSCORE_SLA_DEFAULT_HOURS=48`), which wins over the file; a list there is comma-separated. Map")
	p("keys (those with a `<placeholder>`) are set in the file only, except the score weights. An unknown")
	p("key is named in a warning and ignored; a bad value stops the run (exit 2) with a message naming")
	p("the key. The salt mixed into every hashed identifier is not a config key: it comes from the")
	p("environment variable `CIVICSCORE_SALT` only, never from a file. What the inputs may hold is in")
	p("[inputs.md](inputs.md).")
	p("")
	var groups []string
	byGroup := map[string][]Key{}
	for _, k := range keys {
		if _, ok := byGroup[k.Group]; !ok {
			groups = append(groups, k.Group)
		}
		byGroup[k.Group] = append(byGroup[k.Group], k)
	}
	// Top-level keys first, then each section in declaration order.
	slices.SortStableFunc(groups, func(a, b string) int {
		switch {
		case a == "" && b != "":
			return -1
		case a != "" && b == "":
			return 1
		}
		return 0
	})
	for _, g := range groups {
		ks := byGroup[g]
		if g == "" {
			p("## Top level")
			p("")
		} else {
			p("## %s", g)
			p("")
			p("%s", ks[0].Section)
			p("")
		}
		p("| key | default | type | environment | meaning |")
		p("|---|---|---|---|---|")
		for _, k := range ks {
			env := ""
			if k.Env != "" {
				env = "`" + k.Env + "`"
			}
			p("| `%s` | `%s` | %s | %s | %s |", k.Name, k.Default, k.Type, env, strings.ReplaceAll(k.Doc, "|", `\|`))
		}
		p("")
	}
	return bw.Flush()
}
