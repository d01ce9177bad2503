import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: {
      index: 'lib/index.ts',
      // Live views: the server (Node), the browser client, React bindings, the DevTools bridge.
      'server/index': 'lib/server/index.ts',
      'client/index': 'lib/client/index.ts',
      'react/index': 'lib/react/index.ts',
      'devtools/index': 'lib/devtools/index.ts',
    },
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
