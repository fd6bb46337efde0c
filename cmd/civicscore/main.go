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
	restore := setupConsole()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	m.Close()
	code := m.ExitCode(err)
	restore()
	os.Exit(code)
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

// usageError marks bad command-line usage: exit 2, with the command's usage
// text. It is made where the command line is refused (cobra's flag parsing,
// the argument checks, a command's own check of its flags), never guessed
// from an error's text.
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
	// The root runs (it prints the help) so that its argument check, not
	// cobra's built-in one, refuses an unknown command.
	root.Args = rootArgs
	root.SuggestionsMinimumDistance = 2
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	root.AddCommand(
		m.demoCommand(),
		m.runCommand("run", "ingest, compute and report, as the config says", stageAll),
		m.runCommand("ingest", "load the configured inputs into the database", stageIngest),
		m.runCommand("compute", "compute every indicator into indicator_values", stageCompute),
		m.runCommand("report", "write the HTML report from the database", stageReport),
		m.inspectCommand(),
		m.queryCommand(),
		m.schemaCommand(),
		m.genCommand(),
		m.exportCommand(),
		m.publishCommand(),
		m.serveCommand(),
		m.versionCommand(),
	)
	usageArgs(root)
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
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintln(m.Stderr, cmd.UsageString())
	}
	return err
}

// rootArgs refuses an argument to the root command: it names no command.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return usageError{errors.New(msg)}
}

// usageArgs makes the refusals of the argument checks of cmd and its
// subcommands usage errors; a command without a check takes no arguments.
func usageArgs(cmd *cobra.Command) {
	check := cmd.Args
	if check == nil {
		check = cobra.NoArgs
	}
	cmd.Args = func(c *cobra.Command, args []string) error {
		if err := check(c, args); err != nil {
			var u usageError
			if errors.As(err, &u) {
				return err
			}
			return usageError{err}
		}
		return nil
	}
	for _, sub := range cmd.Commands() {
		usageArgs(sub)
	}
}

// Close releases what Run left open (nothing today; kept for symmetry with
// tests that defer it).
func (m *Main) Close() error { return nil }

// ExitCode maps an error to the exit status: 0 success, 2 bad usage (a
// usageError) or invalid config (civicscore.ErrConfig), 1 any other
// failure. It prints the error.
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
