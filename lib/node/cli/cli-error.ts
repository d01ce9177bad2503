/**
 * A failure of the command line itself (a missing directory, a bad option value), as opposed
 * to a problem found in a journal. The CLI prints its message and exits with `exitCode`.
 * @internal
 */
export class CliError extends Error {
  readonly exitCode: number

  constructor(message: string, exitCode = 2) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}
