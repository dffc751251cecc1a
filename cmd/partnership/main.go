// Command partnership runs the partnership service and its admin commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// command is one leaf subcommand, named by the words after "partnership"
// ("serve", "apikey revoke").
type command struct {
	name    string
	args    string // the positional arguments in the usage line, e.g. "KEY_PREFIX"
	nargs   int    // how many positional arguments it takes, exactly
	summary string
	// bind adds the command's own flags to fs (the global ones are already
	// there) and returns what the command does. Each call binds fresh
	// variables, so one command may run concurrently in tests.
	bind func(fs *flag.FlagSet, env *environment) action
}

// action does a command's work once its flags and arguments are parsed.
type action func(ctx context.Context, inv *invocation) error

// invocation is one parsed command line.
type invocation struct {
	env  *environment
	cfg  config
	args []string // positional arguments, len == command.nargs
	fs   *flag.FlagSet
}

// usageError is a command line that cannot run; main prints the usage and
// exits with status 2.
type usageError struct {
	usage func(io.Writer)
	msg   string
}

func (e *usageError) Error() string { return e.msg }

// usagef refuses the invocation's command line.
func (inv *invocation) usagef(format string, a ...any) error {
	return &usageError{usage: func(w io.Writer) { commandUsage(w, inv.fs) }, msg: fmt.Sprintf(format, a...)}
}

// environment is what a command may touch besides its arguments, so tests
// can run commands in-process.
type environment struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &environment{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(exitCode(env, run(ctx, env, os.Args[1:])))
}

// exitCode reports err and says how the process ends: 0 for success and
// for help asked with -h, 2 for a command line that cannot run, 1 for a
// command that failed.
func exitCode(env *environment, err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(env.stderr, "partnership:", err)
		ue.usage(env.stderr)
		return 2
	default:
		fmt.Fprintln(env.stderr, "partnership:", err)
		return 1
	}
}

// run parses a command line: global flags may stand before the command
// words, and global and command flags anywhere after them. Without a
// command it serves; an unknown command never does.
func run(ctx context.Context, env *environment, args []string) error {
	cmds := commands()
	leading := newFlagSet(env, "partnership", &config{})
	leading.SetOutput(io.Discard)
	if err := leading.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(env.stdout, cmds)
			return err
		}
		return toolUsage(cmds, err)
	}
	globals := args[:len(args)-leading.NArg()]
	words := leading.Args()
	if len(words) == 0 {
		words = []string{"serve"}
	}
	if words[0] == "help" {
		return help(env, cmds, words[1:])
	}
	cmd, rest, ok := lookup(cmds, words)
	if !ok {
		return unknown(cmds, words)
	}
	return cmd.run(ctx, env, append(slices.Clip(globals), rest...))
}

// lookup finds the command named by the first words: longest names first.
func lookup(cmds []command, words []string) (command, []string, bool) {
	for n := min(3, len(words)); n > 0; n-- {
		name := strings.Join(words[:n], " ")
		if i := slices.IndexFunc(cmds, func(c command) bool { return c.name == name }); i >= 0 {
			return cmds[i], words[n:], true
		}
	}
	return command{}, nil, false
}

// unknown refuses words that name no command, listing the group's
// commands when the first word names a group.
func unknown(cmds []command, words []string) error {
	group := groupOf(cmds, words[0])
	if len(group) == 0 {
		return toolUsage(cmds, fmt.Errorf("unknown command %q", words[0]))
	}
	var verbs []string // the words that may follow, once each
	for _, c := range group {
		verb, _, _ := strings.Cut(strings.TrimPrefix(c.name, words[0]+" "), " ")
		if !slices.Contains(verbs, verb) {
			verbs = append(verbs, verb)
		}
	}
	expected := strings.Join(verbs[:len(verbs)-1], ", ")
	if expected != "" {
		expected += " or "
	}
	expected += verbs[len(verbs)-1]
	msg := fmt.Sprintf("%s: expected %s", words[0], expected)
	if len(words) > 1 && !strings.HasPrefix(words[1], "-") {
		msg = fmt.Sprintf("%s: unknown command %q, expected %s", words[0], words[1], expected)
	}
	return &usageError{usage: func(w io.Writer) { list(w, group) }, msg: msg}
}

func toolUsage(cmds []command, err error) error {
	return &usageError{usage: func(w io.Writer) { usage(w, cmds) }, msg: err.Error()}
}

// groupOf lists the commands whose first word is word.
func groupOf(cmds []command, word string) []command {
	var out []command
	for _, c := range cmds {
		if strings.HasPrefix(c.name, word+" ") {
			out = append(out, c)
		}
	}
	return out
}

// run parses args (global and own flags anywhere, then exactly nargs
// positional arguments) and runs the command.
func (c command) run(ctx context.Context, env *environment, args []string) error {
	inv := &invocation{env: env}
	inv.fs = newFlagSet(env, c.name, &inv.cfg)
	do := c.bind(inv.fs, env)
	setCommandUsage(inv.fs, c)
	// The flag package would print its own messages; usageError does.
	inv.fs.SetOutput(io.Discard)
	positional, err := parseInterspersed(inv.fs, args, c.nargs > 0)
	if errors.Is(err, flag.ErrHelp) {
		commandUsage(env.stdout, inv.fs)
		return err
	}
	if err != nil {
		return inv.usagef("%s", err)
	}
	if len(positional) != c.nargs {
		if c.nargs == 0 {
			return inv.usagef("%s takes no arguments, got %q", c.name, positional)
		}
		return inv.usagef("%s expects %s", c.name, c.args)
	}
	inv.args = positional
	return do(ctx, inv)
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments, which it returns in order. When the command takes positional
// arguments, a word that starts with "-" but names no flag is one of them:
// tokens and keys are random and may start with a dash.
func parseInterspersed(fs *flag.FlagSet, args []string, takesArgs bool) ([]string, error) {
	var positional []string
	for {
		for takesArgs && len(args) > 0 && !namesFlag(fs, args[0]) {
			positional, args = append(positional, args[0]), args[1:]
		}
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// namesFlag reports whether arg is a flag of fs, "-h"/"-help" or "--".
func namesFlag(fs *flag.FlagSet, arg string) bool {
	if !strings.HasPrefix(arg, "-") {
		return true // not a dash word: left to fs.Parse, which stops at it
	}
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	return arg == "--" || name == "h" || name == "help" || fs.Lookup(name) != nil
}

// help prints the tool's usage, a group's commands or one command's flags.
func help(env *environment, cmds []command, words []string) error {
	if len(words) == 0 {
		usage(env.stdout, cmds)
		return nil
	}
	cmd, rest, ok := lookup(cmds, words)
	if !ok || len(rest) > 0 {
		if group := groupOf(cmds, words[0]); len(group) > 0 && len(words) == 1 {
			list(env.stdout, group)
			return nil
		}
		return unknown(cmds, words)
	}
	fs := newFlagSet(env, cmd.name, &config{})
	cmd.bind(fs, env)
	setCommandUsage(fs, cmd)
	commandUsage(env.stdout, fs)
	return nil
}

// commandUsage prints a command's usage line and every flag it takes.
func commandUsage(w io.Writer, fs *flag.FlagSet) {
	fs.SetOutput(w)
	fs.Usage()
}

// setCommandUsage makes fs.Usage print cmd's usage line, summary and flags.
func setCommandUsage(fs *flag.FlagSet, cmd command) {
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: %s\n\n%s\n\nflags:\n", strings.TrimSpace("partnership "+cmd.name+" [flags] "+cmd.args), cmd.summary)
		fs.PrintDefaults()
	}
}

func usage(w io.Writer, cmds []command) {
	fmt.Fprintln(w, "usage: partnership [global flags] [command] [flags] [arguments]")
	fmt.Fprintln(w, "\nWithout a command, partnership serves. Commands:")
	list(w, cmds)
	fmt.Fprintln(w, "\nRun 'partnership help COMMAND' or 'partnership COMMAND -h' for a command's flags.")
}

// list prints one line per command.
func list(w io.Writer, cmds []command) {
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-36s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
}
