import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: { index: 'lib/index.ts', 'postgres/index': 'lib/postgres/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    // The `prevalent` command line (the package's bin): ESM only, executable.
    entry: { cli: 'lib/node/cli/main.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
])
