/**
 * A `tsdyn` subcommand. To add one (e.g. `sweep`, `batch`), export a Command from its own
 * module and add one entry to COMMANDS in src/cli.ts (summary + a dynamic import). `run`
 * gets the arguments after the command name and resolves to the exit code; throwing UsageError/ConfigError/ResourceError
 * prints one line and exits 1.
 */
export interface Command {
  /** Printed by `tsdyn <cmd> --help`: usage line, description, options. */
  help: string;
  run(argv: string[]): Promise<number>;
}
