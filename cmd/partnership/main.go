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

// command is one subcommand. run gets the arguments after the subcommand's
// name; it parses them (the global flags included) with newFlagSet.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// commands lists every subcommand; contexts add their admin commands here.
func commands() []command {
	return []command{
		{"serve", "run the HTTP service (the default)", runServe},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"partner", "energy partners: create --name NAME", runPartner},
		{"apikey", "energy partner API keys: create --partner NAME [--seller NAME] [--admin] | revoke KEY_PREFIX", runAPIKey},
		{"catalog", "energy GD catalog: import-areas FILE.csv (utility_name,ibge_code)", runCatalog},
		{"provider", "storefront providers: create --name N --origin URL | token --origin URL", runProvider},
		{"account", "companies accounts: create --name N --type cliente|gestao [--manager N]", runAccount},
		{"user", "companies users: create --email E --password P (--account N | --super-admin)", runUser},
		{"token", "companies user tokens: create --email E [--ttl D] | revoke TOKEN", runToken},
	}
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
	if err := run(ctx, env, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "partnership:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, env *environment, args []string) error {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	cmds := commands()
	if name == "help" {
		usage(env.stdout, cmds)
		return nil
	}
	i := slices.IndexFunc(cmds, func(c command) bool { return c.name == name })
	if i < 0 {
		usage(env.stderr, cmds)
		return fmt.Errorf("unknown command %q", name)
	}
	return cmds[i].run(ctx, env, args)
}

func usage(w io.Writer, cmds []command) {
	fmt.Fprintln(w, "usage: partnership [command] [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'partnership COMMAND -h' for a command's flags.")
}
