import { existsSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { RefValues, StoreDefinition, Transactions } from '../../core/definition.js'
import { CliError } from './cli-error.js'

/** Any store definition, as loaded from a user's module. @internal */
export type AnyDefinition = StoreDefinition<RefValues, Transactions<RefValues>>

const typescript = new Set(['.ts', '.mts', '.cts', '.tsx'])

function isDefinition(value: unknown): value is AnyDefinition {
  const candidate = value as { refs?: unknown; transactions?: unknown } | null
  return typeof candidate === 'object' && candidate !== null && typeof candidate.refs === 'object' && candidate.refs !== null && typeof candidate.transactions === 'object' && candidate.transactions !== null
}

async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href
  try {
    return (await import(url)) as Record<string, unknown>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !typescript.has(extname(path))) throw error
  }
  // A TypeScript module and no loader: borrow tsx's, if the project has it.
  const api = 'tsx/esm/api'
  let tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>
  try {
    ;({ tsImport } = (await import(api)) as { tsImport: typeof tsImport })
  } catch {
    throw new CliError(`${path} is TypeScript, and Node cannot load it alone: install tsx (npm i -D tsx), run the CLI under it (node --import tsx …), or point --definition at the compiled .js`)
  }
  return tsImport(url, import.meta.url)
}

/**
 * Imports the user's module and picks its store definition: the export named `exportName`,
 * else the default export, else the one export that is a definition.
 * @throws CliError naming the module and the exports it has.
 */
export async function loadDefinition(modulePath: string, exportName?: string): Promise<AnyDefinition> {
  const path = modulePath
  if (!existsSync(path)) throw new CliError(`expected a module defining the store at ${path}, found no such file`)
  const module = await importModule(resolve(path))
  const names = Object.keys(module)
  const definitions = names.filter((name) => isDefinition(module[name]))
  if (exportName !== undefined) {
    if (isDefinition(module[exportName])) return module[exportName]
    throw new CliError(`expected ${path} to export a store definition named "${exportName}"; its store definitions are: ${definitions.join(', ') || 'none'}`)
  }
  if (isDefinition(module.default)) return module.default
  if (definitions.length === 1) return module[definitions[0]] as AnyDefinition
  if (definitions.length === 0) throw new CliError(`expected ${path} to export a store definition (made by defineStore: { refs, transactions }); it exports: ${names.join(', ') || 'nothing'}`)
  throw new CliError(`${path} exports several store definitions (${definitions.join(', ')}); choose one with --export NAME`)
}
