"""Pure rules: what a command does to the accounts it reads, as `Changes` to commit. No I/O."""
