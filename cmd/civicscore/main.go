package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/civicscore/civicscore"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	m.Close()
	os.Exit(m.ExitCode(err))
}

// Main is the program: its streams and environment are fields so that tests
// run it in-process.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (CIVICSCORE_SALT and config overrides).
	Getenv func(string) string
	// Log is built by ParseFlags from --log-level; Run uses it.
	Log *slog.Logger

	root *cobra.Command
}

// NewMain returns a Main wired to the process's streams and environment.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// usageError marks bad command-line usage (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// ParseFlags builds the command tree and parses args into it; the command
// then runs in Run.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	var level string
	root := &cobra.Command{
		Use:           "civicscore",
		Short:         "Community governance evaluation in which residents are the evaluators",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var l slog.Level
			if err := l.UnmarshalText([]byte(level)); err != nil {
				return usageError{fmt.Errorf("--log-level %q: want debug, info, warn or error", level)}
			}
			m.Log = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: l}))
			return nil
		},
	}
	root.PersistentFlags().StringVar(&level, "log-level", "info", "log level: debug, info, warn or error")
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		m.demoCommand(),
		m.runCommand("run", "ingest, compute and report, as the config says", stageAll),
		m.runCommand("ingest", "load the configured inputs into the database", stageIngest),
		m.runCommand("compute", "compute every indicator into indicator_values", stageCompute),
		m.runCommand("report", "write the HTML report from the database", stageReport),
		m.queryCommand(),
		m.schemaCommand(),
		m.genCommand(),
		m.publishCommand(),
		m.serveCommand(),
		m.versionCommand(),
	)
	root.SetArgs(args)
	root.SetContext(ctx)
	m.root = root
	return nil
}

// Run parses args and runs the command they name.
func (m *Main) Run(ctx context.Context, args []string) error {
	if m.Getenv == nil {
		m.Getenv = os.Getenv
	}
	if m.Log == nil {
		m.Log = slog.New(slog.NewTextHandler(m.Stderr, nil))
	}
	if err := m.ParseFlags(ctx, args); err != nil {
		return err
	}
	cmd, err := m.root.ExecuteContextC(ctx)
	if err != nil && isCobraUsage(err) {
		fmt.Fprintln(m.Stderr, cmd.UsageString())
		return usageError{err}
	}
	return err
}

// isCobraUsage reports whether err is cobra's own complaint about the
// command line (unknown command or flag, wrong number of arguments).
func isCobraUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// Close releases what Run left open (nothing today; kept for symmetry with
// tests that defer it).
func (m *Main) Close() error { return nil }

// ExitCode maps an error to the exit status of cli.md: 0 success, 2 bad
// usage or invalid config, 1 any other failure. It prints the error.
func (m *Main) ExitCode(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(m.Stderr, "civicscore:", err)
	var u usageError
	if errors.As(err, &u) || errors.Is(err, civicscore.ErrConfig) {
		return 2
	}
	return 1
}
