package main

import (
	"context"
	"fmt"
	"log/slog"
)

func runMigrate(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := newFlagSet(env, "migrate", &cfg)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	status, err := a.stores.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "migrated %s\n", a.stores.Engine())
	for _, line := range status {
		fmt.Fprintln(env.stdout, line)
	}
	return nil
}
