// Package config is civicscore's configuration: the typed Config, its
// defaults, loading from a YAML (or TOML/JSON) file with CIVICSCORE_*
// environment overrides through viper, and validation whose messages name the
// offending key. It is the only package that imports viper; the others take
// plain option structs that the command copies values into.
package config
