import { Command } from 'commander'
import { inspectCommand } from './inspect.js'
import { repairCommand } from './repair.js'
import { replayCommand } from './replay.js'
import { statsCommand } from './stats.js'
import { verifyCommand } from './verify.js'

/** The `prevalent` command line: one sub-command per journal tool. @internal */
export function createProgram(version: string): Command {
  const program = new Command('prevalent')
    .description('read, check, repair and travel through the journal of a prevalent store directory')
    .version(version)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
  for (const add of [inspectCommand, verifyCommand, repairCommand, replayCommand, statsCommand]) add(program)
  for (const command of program.commands) command.exitOverride()
  return program
}
