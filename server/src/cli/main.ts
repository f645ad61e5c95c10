/**
 * The `unit-harden` command line: `check` lints unit files for CI (text, JSON or SARIF output),
 * `lsp --stdio` starts the language server for any editor. It calls the same engine as the
 * server; nothing here knows about LSP except the `lsp` subcommand that starts it.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import { getLanguageService } from '../languageService';
import { UNIT_TYPES } from '../model/directives';
import { DEFAULT_SETTINGS, parseSettings, PRESET_NAMES, type Settings } from '../settings';
import { formatText, formatJson, formatSarif, type FileResult } from './format';
import { decode, diskReader, readInput, UsageError } from './io';
import { runPreview } from './preview';
import { targetFromSettings } from '../analysis';

export const VERSION = '0.1.0';

const USAGE = `Usage:
  unit-harden check [options] FILE|DIR...   lint unit files (drop-ins beside them are merged)
  unit-harden preview [options] FILE        the seccomp filters systemd installs for the unit (see preview --help)
  unit-harden lsp --stdio                   run the language server on stdin/stdout
  unit-harden --version | --help

Options for check:
  --format text|json|sarif   output format (default text)
  --preset NAME              distribution to target (default ${DEFAULT_SETTINGS.target.preset}): ${PRESET_NAMES.join(', ')}
  --systemd VERSION          systemd version to check against (default: the preset's)
  --arch ARCH                architecture systemd was built for (default: the preset's)
  --kernel VERSION           kernel version (default: the preset's)
  --rule ID=SEVERITY         override a rule's severity (off, hint, information, warning, error)
  --min-severity LEVEL       report findings from LEVEL up: hint, information (default), warning, error
  --no-dropins               do not merge drop-ins found beside the file

Exit status: 0 no error-level finding, 1 error-level findings, 2 usage error or unreadable file.`;

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

function isUnitFileName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && UNIT_TYPES.includes(name.slice(dot + 1));
}

/** Expands directories into the unit files and drop-ins they contain, sorted for stable output. */
function expandInputs(inputs: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 16) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      throw new UsageError(`unit-harden: cannot read directory ${dir}: ${(err as Error).message}`);
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.isFile() && (isUnitFileName(e.name) || (e.name.endsWith('.conf') && path.basename(dir).endsWith('.d')))) files.push(p);
    }
  };
  for (const input of inputs) {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`unit-harden: cannot read ${input}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
    }
    if (st.isDirectory()) walk(input, 0);
    else files.push(input);
  }
  return files;
}

export interface CheckOptions {
  readonly format: 'text' | 'json' | 'sarif';
  /** Lowest LSP severity reported (1 error … 4 hint); hints are hidden by default. */
  readonly minSeverity: number;
  readonly settings: Settings;
  readonly dropins: boolean;
}

export function checkFiles(files: readonly string[], options: CheckOptions): FileResult[] {
  const service = getLanguageService(options.settings);
  const results: FileResult[] = [];
  for (const file of files) {
    const bytes = readInput(file);
    const { text, invalidLines } = decode(bytes);
    const doc = TextDocument.create(`file://${path.resolve(file)}`, 'systemd-unit', 1, text);
    const unit = service.parseUnit(doc, file, options.dropins ? diskReader : undefined, invalidLines.size > 0 ? { invalidUtf8Lines: invalidLines } : {});
    const diagnostics: Diagnostic[] = service.doValidation(doc, unit);
    results.push({ file, doc, diagnostics });
  }
  return results;
}

function parseArgs(argv: readonly string[]): { files: string[]; options: CheckOptions } {
  const files: string[] = [];
  let format: CheckOptions['format'] = 'text';
  const target: Record<string, string> = {};
  const rules: Record<string, string> = {};
  let dropins = true;
  let minSeverity = 3;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const eq = arg.indexOf('=');
      if (arg.startsWith('--') && eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`unit-harden: ${arg} needs a value\n\n${USAGE}`);
      return v;
    };
    const name = arg.startsWith('--') && arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    switch (name) {
      case '--format': {
        const f = value();
        if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`unit-harden: unknown format '${f}' (use text, json or sarif)`);
        format = f;
        break;
      }
      case '--preset':
        target['preset'] = value();
        break;
      case '--systemd':
        target['systemdVersion'] = value();
        break;
      case '--arch':
        target['arch'] = value();
        break;
      case '--kernel':
        target['kernel'] = value();
        break;
      case '--rule': {
        const v = value();
        const eq = v.indexOf('=');
        if (eq <= 0) throw new UsageError(`unit-harden: --rule takes ID=SEVERITY, got '${v}'`);
        rules[v.slice(0, eq)] = v.slice(eq + 1);
        break;
      }
      case '--min-severity': {
        const v = value();
        const levels: Record<string, number> = { error: 1, warning: 2, information: 3, info: 3, hint: 4 };
        if (levels[v] === undefined) throw new UsageError(`unit-harden: unknown severity '${v}' for --min-severity (use hint, information, warning or error)`);
        minSeverity = levels[v];
        break;
      }
      case '--no-dropins':
        dropins = false;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unit-harden: unknown option ${arg}\n\n${USAGE}`);
        files.push(arg);
    }
  }
  if (files.length === 0) throw new UsageError(`unit-harden: no files given\n\n${USAGE}`);
  const problems: string[] = [];
  const settings = parseSettings({ target, rules }, (m) => problems.push(m));
  if (problems.length > 0) throw new UsageError(`unit-harden: ${problems.join('; ')}`);
  const resolved = targetFromSettings(settings);
  if (!resolved.target) throw new UsageError(resolved.messages.filter((m) => m.severity === 'error').map((m) => `unit-harden: ${m.message}`).join('\n'));
  return { files, options: { format, minSeverity, settings, dropins } };
}

/** Runs the CLI; returns the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-V') {
      io.stdout(`unit-harden ${VERSION}\n`);
      return 0;
    }
    if (command === 'lsp') {
      if (!rest.includes('--stdio')) throw new UsageError('unit-harden: lsp needs --stdio (the only transport the CLI offers)');
      // The server reads its transport from argv.
      if (!process.argv.includes('--stdio')) process.argv.push('--stdio');
      await import('../main');
      return -1;
    }
    if (command === 'preview') return await runPreview(rest, io);
    if (command === 'check') {
      const { files, options } = parseArgs(rest);
      const all = checkFiles(expandInputs(files), options);
      const results = all.map((r) => ({ ...r, diagnostics: r.diagnostics.filter((d) => (d.severity ?? 1) <= options.minSeverity) }));
      const hidden = all.reduce((n, r, i) => n + r.diagnostics.length - results[i]!.diagnostics.length, 0);
      const out = options.format === 'json' ? formatJson(results) : options.format === 'sarif' ? formatSarif(results, VERSION) : formatText(results, process.stdout.isTTY === true, hidden);
      io.stdout(out);
      return results.some((r) => r.diagnostics.some((d) => d.severity === 1)) ? 1 : 0;
    }
    throw new UsageError(`unit-harden: unknown command '${command}'\n\n${USAGE}`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    io.stderr(`unit-harden: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
}

/** Runs the CLI on this process's arguments and sets its exit code. */
export function main(): void {
  void run(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }).then((code) => {
    if (code >= 0) process.exitCode = code;
  });
}

if (require.main === module) main();
