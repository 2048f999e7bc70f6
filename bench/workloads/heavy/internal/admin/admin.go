// Package admin holds the operator subcommands, run as
// `server admin <command>`: printing the effective configuration, minting
// note ids, and checking the configured backends.
package admin

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"example.com/gofront/bench/heavy/internal/config"
	"example.com/gofront/bench/heavy/internal/store"
	"example.com/gofront/bench/heavy/internal/version"
)

type nopObserver struct{}

func (nopObserver) StoreOp(string, string, error) {}
func (nopObserver) CacheLookup(string)            {}

// Command returns the `admin` command tree.
func Command(out io.Writer) *cobra.Command {
	var cfgPath string
	root := &cobra.Command{
		Use:           "admin",
		Short:         "Operator commands for the heavy service",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(out)
	root.PersistentFlags().StringVar(&cfgPath, "config", "", "YAML configuration file")

	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the build version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), version.Version)
			return err
		},
	})

	root.AddCommand(&cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration, secrets masked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			data, err := cfg.Redacted()
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(data)
			return err
		},
	})

	var count int
	var name string
	newID := &cobra.Command{
		Use:   "new-id",
		Short: "Mint note ids (random, or name-based with --name)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for i := 0; i < count; i++ {
				id := uuid.New()
				if name != "" {
					id = uuid.NewSHA1(uuid.NameSpaceURL, []byte(fmt.Sprintf("%s#%d", name, i)))
				}
				fmt.Fprintln(cmd.OutOrStdout(), id)
			}
			return nil
		},
	}
	newID.Flags().IntVarP(&count, "count", "n", 1, "how many ids")
	newID.Flags().StringVar(&name, "name", "", "derive ids from this name")
	root.AddCommand(newID)

	var timeout time.Duration
	check := &cobra.Command{
		Use:   "check",
		Short: "Ping the configured note backend",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			st, err := store.Open(cfg, nopObserver{})
			if err != nil {
				return err
			}
			defer st.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := st.Notes.Ping(ctx); err != nil {
				return fmt.Errorf("%s: %w", st.Notes.Name(), err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", st.Notes.Name())
			return nil
		},
	}
	check.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "ping timeout")
	root.AddCommand(check)
	return root
}

// Run executes the admin command tree with args.
func Run(ctx context.Context, out io.Writer, args []string) error {
	cmd := Command(out)
	cmd.SetArgs(args)
	return cmd.ExecuteContext(ctx)
}
