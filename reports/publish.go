package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/civicscore/civicscore"
)

// PublicMarker is the file Publish leaves in a folder it wrote, so that a
// later Publish may replace that folder, and never a folder it did not
// write.
const PublicMarker = ".civicscore-public"

// PublicFiles lists the files of the rendered report in dir that the public
// may see, slash-separated and sorted: the shared assets, the ranking, the
// methodology and every scorecard (each of which prints as its notice-board
// poster). Internal pages — the district and street reports, the table of
// every indicator and its CSV, the bureau's workbook, the data-quality page
// with its file paths and rejects — are never listed.
func PublicFiles(dir string) ([]string, error) {
	var out []string
	for _, f := range []string{fileRanking, fileMethodology} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, fmt.Errorf("report %s: %w (run `civicscore report` first)", dir, err)
		}
		out = append(out, f)
	}
	for _, sub := range []struct{ dir, ext string }{{"assets", ""}, {dirScorecards, ".html"}} {
		entries, err := os.ReadDir(filepath.Join(dir, sub.dir))
		if err != nil {
			return nil, fmt.Errorf("report %s: %w", dir, err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || (sub.ext != "" && !strings.HasSuffix(e.Name(), sub.ext)) {
				continue // no folders, symlinks or stray files
			}
			out = append(out, sub.dir+"/"+e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// hrefRef finds the local links and sources of a page.
var hrefRef = regexp.MustCompile(`(?:href|src)="([^"#?:]*)(?:[#?][^"]*)?"`)

// Publish copies the public part of the report in src (see PublicFiles) to
// dst, ready for any static web host, with the ranking also written as
// dst/index.html, the entry page. dst is replaced whole, so that nothing
// left from an earlier publish (a community since removed) stays public;
// for safety Publish only replaces a folder that is empty or that an
// earlier Publish wrote (it holds PublicMarker), and refuses dst inside
// src or src inside dst. Before anything replaces dst, every local link of
// the copied pages is checked to lead to a copied file. It returns the
// number of files written.
func Publish(src, dst string) (int, error) {
	srcAbs, err := filepath.Abs(src)
	if err != nil {
		return 0, err
	}
	dstAbs, err := filepath.Abs(dst)
	if err != nil {
		return 0, err
	}
	if within(dstAbs, srcAbs) || within(srcAbs, dstAbs) {
		return 0, fmt.Errorf("publish: --to %s and the report %s must not contain each other: %w", dst, src, civicscore.ErrConfig)
	}
	files, err := PublicFiles(srcAbs)
	if err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	if err := replaceable(dstAbs); err != nil {
		return 0, err
	}
	parent := filepath.Dir(dstAbs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	stage, err := os.MkdirTemp(parent, "."+filepath.Base(dstAbs)+".publish-")
	if err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	defer os.RemoveAll(stage) // after a successful rename, nothing is left to remove
	written := map[string]bool{}
	for _, f := range files {
		if err := copyLocal(srcAbs, stage, f, f); err != nil {
			return 0, fmt.Errorf("publish: %w", err)
		}
		written[f] = true
	}
	if err := copyLocal(srcAbs, stage, fileRanking, fileIndex); err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	written[fileIndex] = true
	for f := range written {
		if err := openInChinese(stage, f); err != nil {
			return 0, fmt.Errorf("publish: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(stage, PublicMarker), []byte("written by civicscore publish; this folder is replaced whole by the next publish\n"), 0o644); err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	if err := checkLinks(stage, written); err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	if err := os.Chmod(stage, 0o755); err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	old := ""
	if _, err := os.Stat(dstAbs); err == nil {
		old = stage + ".old"
		if err := os.Rename(dstAbs, old); err != nil {
			return 0, fmt.Errorf("publish: replace %s: %w", dst, err)
		}
	}
	if err := os.Rename(stage, dstAbs); err != nil {
		if old != "" {
			_ = os.Rename(old, dstAbs)
		}
		return 0, fmt.Errorf("publish: %w", err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return 0, fmt.Errorf("publish: remove the previous copy: %w", err)
		}
	}
	return len(written), nil
}

// within reports whether p is dir or lies inside it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// replaceable checks that dst is absent, an empty folder, or a folder an
// earlier Publish wrote.
func replaceable(dst string) error {
	st, err := os.Lstat(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("publish: --to %s exists and is not a folder: %w", dst, civicscore.ErrConfig)
	}
	entries, err := os.ReadDir(dst)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dst, PublicMarker)); err != nil {
		return fmt.Errorf("publish: --to %s is a folder civicscore did not publish (no %s); choose an empty or new folder: %w",
			dst, PublicMarker, civicscore.ErrConfig)
	}
	return nil
}

// copyLocal copies src/from to stage/to, both slash-separated local paths.
func copyLocal(src, stage, from, to string) error {
	in, err := localPath(src, from)
	if err != nil {
		return err
	}
	out, err := localPath(stage, to)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	r, err := os.Open(in)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// openInChinese makes the copied page stage/f, when it is a page, open in
// Chinese: the public pages are the residents', whichever language the
// bureau pages of the report open in. The page keeps both languages and
// its switch.
func openInChinese(stage, f string) error {
	if !strings.HasSuffix(f, ".html") {
		return nil
	}
	p, err := localPath(stage, f)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	from, to := []byte(htmlOpen(LangEN)), []byte(htmlOpen(LangZH))
	if !bytes.Contains(b, from) {
		return nil
	}
	return os.WriteFile(p, bytes.Replace(b, from, to, 1), 0o644)
}

// checkLinks fails when a copied page links or loads a local file that was
// not copied: a public page must never point into the internal report.
func checkLinks(stage string, written map[string]bool) error {
	for f := range written {
		if !strings.HasSuffix(f, ".html") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(stage, filepath.FromSlash(f)))
		if err != nil {
			return err
		}
		for _, m := range hrefRef.FindAllStringSubmatch(string(b), -1) {
			if m[1] == "" {
				continue
			}
			target := path.Clean(path.Join(path.Dir(f), m[1]))
			if !written[target] {
				return fmt.Errorf("public page %s links %q, which is not public", f, m[1])
			}
		}
	}
	return nil
}
