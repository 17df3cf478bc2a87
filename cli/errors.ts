/**
 * A problem the user can fix (a bad path, flag or file): the CLI prints its
 * message without a stack trace and exits with status 2. `usage` adds a
 * pointer to --help (for mistakes on the command line itself).
 */
export class CliError extends Error {
  override name = "CliError";

  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}
