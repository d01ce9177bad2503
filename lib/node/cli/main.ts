#!/usr/bin/env node
// The `prevalent` executable (the package's bin): parses the command line and maps failures to exit codes.
import { readFileSync } from 'node:fs'
import { CommanderError } from 'commander'
import { StoreError } from '../../core/errors.js'
import { CliError } from './cli-error.js'
import { escapeControl } from './format.js'
import { createProgram } from './program.js'

function packageVersion(): string {
  // The package root is two levels up both from lib/node/cli (sources) and from dist (bundle).
  for (const path of ['../../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'prevalent' && pkg.version) return pkg.version
    } catch {
      // try the next location
    }
  }
  return '0.0.0'
}

// A closed pipe (`prevalent inspect DIR | head`) is the reader saying it has enough.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

try {
  await createProgram(packageVersion()).parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are successes; any other complaint of the parser is a usage error.
    process.exitCode = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2
  } else {
    const message = error instanceof StoreError || error instanceof CliError ? error.message : String((error as Error)?.stack ?? error)
    process.stderr.write(`${escapeControl(message.startsWith('prevalent: ') ? message : `prevalent: ${message}`)}\n`)
    process.exitCode = error instanceof CliError ? error.exitCode : 2
  }
}
