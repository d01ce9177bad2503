import { defineConfig, type Options } from 'tsup'

// One entry per environment; `lib/<env>/index.ts` builds to `dist/<env>/index.{js,cjs,d.ts,d.cts}`.
const library = {
  index: 'lib/index.ts',
  'core/index': 'lib/core/index.ts',
  'testing/index': 'lib/testing/index.ts',
}

const common: Options = {
  sourcemap: true,
  target: 'node20',
  // Shared chunks: each module is built once per format, so every class exists once.
  splitting: true,
  // `import.meta.url` in the CommonJS build (the lazily required file lock needs it).
  shims: true,
  // Only the public API goes into the type declarations.
  dts: { entry: library, compilerOptions: { stripInternal: true } },
  external: ['vitest'],
}

export default defineConfig([
  // ESM: the library and the `prevalent` command line (the package's bin) in one build graph,
  // so the command line shares the library's modules (its shebang comes from its source).
  { ...common, entry: { ...library, cli: 'lib/node/cli/main.ts' }, format: ['esm'] },
  { ...common, entry: library, format: ['cjs'] },
])
