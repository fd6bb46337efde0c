package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// defaultServeAddr is where serve listens unless told otherwise: loopback,
// so a preview is never reachable from the network by accident.
const defaultServeAddr = "127.0.0.1:8080"

// serveCommand serves a built report folder (the internal report/ or a
// published folder) for a local preview.
func (m *Main) serveCommand() *cobra.Command {
	var dir, addr string
	cmd := &cobra.Command{
		Use:   "serve --dir DIR [--addr 127.0.0.1:8080]",
		Short: "serve a report folder for local preview (loopback only by default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return usageError{errors.New("--dir DIR is required")}
			}
			st, err := os.Stat(dir)
			if err != nil || !st.IsDir() {
				return usageError{fmt.Errorf("--dir %s: not a folder", dir)}
			}
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return usageError{fmt.Errorf("--addr %q: %v", addr, err)}
			}
			if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				m.Log.Warn("serving beyond this machine: the report is visible to anyone who can reach this address", "addr", addr)
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			return m.serve(cmd.Context(), ln, dir)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "report folder to serve (DIR/report or a published folder)")
	cmd.Flags().StringVar(&addr, "addr", defaultServeAddr, "address to listen on")
	return cmd
}

// serve serves dir on ln until ctx is done. It prints the URL on stdout.
func (m *Main) serve(ctx context.Context, ln net.Listener, dir string) error {
	srv := &http.Server{
		Handler:           reportHandler(dir),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	fmt.Fprintf(m.Stdout, "serving %s at http://%s/ (Ctrl-C to stop)\n", dir, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil {
			return fmt.Errorf("serve: shut down: %w", err)
		}
		return nil
	}
}

// reportHandler serves the files of dir read-only: GET and HEAD only, no
// folder listings (a folder without index.html is 404), no dot files, and
// headers that keep the pages as offline as they are on disk (a content
// security policy allowing nothing from elsewhere).
func reportHandler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		for _, part := range strings.Split(p, "/") {
			if strings.HasPrefix(part, ".") {
				http.NotFound(w, r)
				return
			}
		}
		if f, err := http.Dir(dir).Open(p); err == nil {
			st, err := f.Stat()
			f.Close()
			if err == nil && st.IsDir() {
				idx, err := http.Dir(dir).Open(path.Join(p, "index.html"))
				if err != nil {
					http.NotFound(w, r)
					return
				}
				idx.Close()
			}
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'none'; frame-ancestors 'none'")
		h.Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
