// @ts-check
// Bundles the client (VS Code extension), the language server and the CLI into dist/.
// Type checking is tsc's job (`tsc -b`); esbuild only bundles.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * `unit-harden lsp` loads the server bundle beside the CLI (dist/server.js) instead of carrying
 * its own copy of the server and the LSP libraries: every other command then starts without
 * reading and compiling them.
 * @type {import('esbuild').Plugin}
 */
const serverBesideCli = {
  name: 'server-beside-cli',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/main$/ }, (args) => (args.importer.endsWith('cli/main.ts') ? { path: './server.js', external: true } : undefined));
  },
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', plugins: [serverBesideCli] },
];

for (const b of builds) {
  const options = {
    ...b,
    bundle: true,
    platform: /** @type {const} */ ('node'),
    format: /** @type {const} */ ('cjs'),
    target: 'node18',
    sourcemap: !production,
    minify: production,
    logLevel: /** @type {const} */ ('warning'),
  };
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  } else {
    await esbuild.build(options);
  }
}
