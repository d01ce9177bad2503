import { join } from 'node:path'
import { build } from 'vite'

const here = import.meta.dirname

/** Builds the demo page with Vite into `outDir`; the page imports the library's sources directly. */
export async function buildPage(outDir: string): Promise<void> {
  await build({
    root: join(here, 'page'),
    logLevel: 'warn',
    configFile: false,
    resolve: { alias: { 'prevalent/client': join(here, '../../lib/client/index.ts'), 'prevalent/react': join(here, '../../lib/react/index.ts'), 'prevalent/devtools': join(here, '../../lib/devtools/index.ts') } },
    oxc: { jsx: { runtime: 'automatic' } },
    build: { outDir, emptyOutDir: true, sourcemap: false },
  } as never)
}
