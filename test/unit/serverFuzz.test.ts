/**
 * Property test of the language server over real JSON-RPC (stdio): random sequences of didOpen
 * (corpus units, mutated, unit-like, binary-ish, huge lines), incremental didChange (valid ranges,
 * ranges past the end, reversed ranges), didClose and re-open, requests at random positions
 * (hover, completion, code actions, code lenses, symbols, folding, unitHarden/preview), cancelled
 * requests and workspace/didChangeConfiguration with random settings, sent to one long-lived
 * server per configuration model (pushed settings, or pulled with workspace/configuration).
 *
 * Properties: the server never exits, logs an error or writes a crash to stderr; every request is
 * answered (cancelled ones may be answered RequestCancelled); with pushed settings every answer
 * equals what the language service computes in-process for the text the client had sent; and once
 * the sequence settles, the last publishDiagnostics of every open document carries its latest
 * version and equals the in-process diagnostics, and every closed document's last publish is empty.
 *
 * Seeded (UNIT_HARDEN_PROPERTY_SEED), UNIT_HARDEN_PROPERTY_RUNS scales the number of sequences,
 * UNIT_HARDEN_FUZZ_SHRINK=1 lets fast-check shrink a failing sequence (slow: one server round trip
 * per candidate).
 */

import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Position, Range } from 'vscode-languageserver-types';
import { getLanguageService, type LanguageService } from '../../server/src/languageService';
import type { FileReader } from '../../server/src/model/unit';
import { ARCHES, PRESET_NAMES, SEVERITY_SETTINGS, parseSettings } from '../../server/src/settings';
import { RULES } from '../../server/src/lint/rules';
import { ROOT, startTestServer, waitFor, type TestServer } from './lspHarness';
import { CaseCounter, propertyRuns, propertySeed, reportCases } from './propertyRuns';

const SEQUENCES = propertyRuns(24);
const SEED = propertySeed(0x1f5e7);
const SHRINK = process.env['UNIT_HARDEN_FUZZ_SHRINK'] === '1';
/** A hang, not a slow answer: generous on purpose. */
const ANSWER_TIMEOUT_MS = 30000;
const REQUEST_CANCELLED = -32800;

// ---------------------------------------------------------------------------------------------
// The files on disk: units, and drop-ins that the open buffers override.

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'uh-fuzz-'));
const DISK: Record<string, string> = {
  'a.service': '[Service]\nExecStart=/bin/true\n',
  'a.service.d/10-fuzz.conf': '[Service]\nProtectSystem=strict\nSystemCallFilter=~@mount\n',
  'a-b.service': '[Service]\nExecStart=/bin/false\n',
  'a-.service.d/20-prefix.conf': '[Service]\nUser=nobody\n',
  'service.d/50-all.conf': '[Service]\nSystemCallErrorNumber=EPERM\n',
  'x.socket': '[Socket]\nListenStream=1\n',
};
for (const [name, text] of Object.entries(DISK)) {
  fs.mkdirSync(path.dirname(path.join(TMP, name)), { recursive: true });
  fs.writeFileSync(path.join(TMP, name), text);
}
const URIS = [
  ...Object.keys(DISK).map((n) => pathToFileURL(path.join(TMP, n)).href),
  pathToFileURL(path.join(TMP, 'not-on-disk', 'n.service')).href,
  'untitled:Untitled-1',
];

function uriToPath(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

// ---------------------------------------------------------------------------------------------
// Texts

const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus', 'systemd-v252', 'rendered');
const BASES: string[] = (() => {
  const files = fs.existsSync(CORPUS)
    ? fs.readdirSync(CORPUS).filter((f) => f.endsWith('.service')).sort().slice(0, 60).map((f) => path.join(CORPUS, f))
    : fs.readdirSync(path.join(ROOT, 'examples')).map((f) => path.join(ROOT, 'examples', f));
  return files.map((f) => fs.readFileSync(f, 'utf8'));
})();

const SNIPPETS = ['', '\n', '\r\n', '\r', '[Service]\n', '[Unit]', '[Install]\n', '[Ser', 'SystemCallFilter=', 'SystemCallFilter=~@mount @clock\n', '@system-service', 'SystemCallErrorNumber=EPERM\n', 'RestrictAddressFamilies=AF_INET\n', 'SystemCallArchitectures=native\n', 'ProtectDevices=yes\n', 'NoNewPrivileges=yes\n', 'MemoryDenyWriteExecute=yes\n', '\\\n', '\\', '#', ';', '=', '%', '%n', '"', '\0', '\uFEFF', '\uD800', '😀', ' ', '\t', 'x'];

const mutation = fc.tuple(fc.nat(), fc.nat(8), fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 12 })));

function mutate(base: string, muts: readonly [number, number, string][]): string {
  let text = base;
  for (const [at, len, ins] of muts) {
    const i = at % (text.length + 1);
    text = text.slice(0, i) + ins + text.slice(i + len);
  }
  return text;
}

const unitLike = fc
  .array(
    fc.oneof(
      fc.constantFrom('[Unit]', '[Service]', '[Install]', '[Socket]', '[X-Foo]', '[Bad', '', '# c', '; c', '\\'),
      fc
        .tuple(
          fc.constantFrom('SystemCallFilter', 'SystemCallErrorNumber', 'SystemCallArchitectures', 'SystemCallLog', 'RestrictAddressFamilies', 'RestrictNamespaces', 'ProtectSystem', 'MemoryDenyWriteExecute', 'LockPersonality', 'User', 'ExecStart', 'Frob', ''),
          fc.oneof(fc.constantFrom('@system-service', '~@mount @privileged', 'EPERM', 'native x86', 'yes', 'AF_UNIX ~AF_INET', '%n', ''), fc.string({ maxLength: 20 })),
        )
        .map(([k, v]) => `${k}=${v}`),
      fc.string({ maxLength: 30 }),
    ),
    { maxLength: 30 },
  )
  .chain((lines) => fc.constantFrom('\n', '\r\n', '\r').map((eol) => lines.join(eol)));

/** Hardening lines whose diagnostics depend on each other (and on drop-ins and the target). */
const HARDENING = ['SystemCallFilter=@system-service', 'SystemCallFilter=~@mount @swap', 'SystemCallFilter=', 'SystemCallFilter=@known', 'SystemCallArchitectures=native', 'SystemCallArchitectures=', 'SystemCallErrorNumber=EPERM', 'SystemCallErrorNumber=kill', 'SystemCallLog=~@clock', 'NoNewPrivileges=yes', 'NoNewPrivileges=no', 'User=x', 'DynamicUser=yes', 'RestrictAddressFamilies=AF_UNIX', 'RestrictNamespaces=yes', 'MemoryDenyWriteExecute=yes', 'ProtectDevices=yes', 'PrivateDevices=yes', 'ProtectClock=yes', 'LockPersonality=yes', 'RestrictRealtime=yes', 'ExecStart=+/bin/true', 'ExecStart=/bin/true', '[Service', '[Install]', 'WantedBy=multi-user.target', '[Service]'];
const hardeningUnit = fc.array(fc.constantFrom(...HARDENING), { maxLength: 12 }).map((lines) => `[Service]\n${lines.join('\n')}\n`);

const textArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: hardeningUnit },
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...BASES), fc.array(mutation, { maxLength: 6 })).map(([b, m]) => mutate(b, m)) },
  { weight: 6, arbitrary: unitLike },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...SNIPPETS), { maxLength: 120 }).map((a) => a.join('')) },
);

/** Texts for didOpen: the above, and now and then a huge one (costly on both sides, so rare). */
const openTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 30, arbitrary: textArb },
  // A huge line, inside or outside a section, with or without continuations.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 2000, max: 150000 }), fc.constantFrom('A', 'read ', '\\', '%', '\0', 'é'), fc.constantFrom('', '[Service]\nSystemCallFilter='))
      .map(([n, s, pre]) => `${pre}${s.repeat(Math.ceil(n / s.length))}\n`),
  },
  // Past the analysis limit (1 MiB): the file-too-large cut.
  { weight: 1, arbitrary: fc.constantFrom(`[Service]\n${'SystemCallFilter=read write\n'.repeat(40000)}`, `[Service]\nX=${'y'.repeat(1100000)}`) },
);

const insertArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...SNIPPETS) }, { weight: 2, arbitrary: fc.constantFrom(...HARDENING).map((l) => `${l}\n`) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) });

// ---------------------------------------------------------------------------------------------
// Steps. Positions are drawn as raw numbers and resolved against the text when the step runs.

type PosSpec = { kind: 'offset'; n: number } | { kind: 'raw'; line: number; character: number };
/** `splice`: a typist's edit (a few characters at one place); `range`: any two positions, past the end or reversed. */
type EditSpec = { kind: 'full'; text: string } | { kind: 'splice'; at: number; length: number; text: string } | { kind: 'range'; from: PosSpec; to: PosSpec; text: string };
const METHODS = ['textDocument/hover', 'textDocument/completion', 'textDocument/codeAction', 'textDocument/codeLens', 'textDocument/documentSymbol', 'textDocument/foldingRange', 'unitHarden/preview'] as const;
type Method = (typeof METHODS)[number];

type Step =
  | { kind: 'open'; doc: number; version: number; text: string }
  | { kind: 'change'; doc: number; edits: EditSpec[] }
  | { kind: 'close'; doc: number }
  | { kind: 'request'; doc: number; method: Method; at: PosSpec; to: PosSpec; diags: 'latest' | 'none' | 'garbage'; cancelAfter: number | undefined }
  | { kind: 'bogus-cancel'; id: number | string }
  | { kind: 'config'; settings: unknown }
  | { kind: 'pause'; ms: number }
  | { kind: 'settle' };

const posArb: fc.Arbitrary<PosSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((n): PosSpec => ({ kind: 'offset', n })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ line: fc.oneof(fc.nat(60), fc.constant(2 ** 31 - 1), fc.constant(-1)), character: fc.oneof(fc.nat(300), fc.constant(2 ** 31 - 1)) })
      .map((p): PosSpec => ({ kind: 'raw', ...p })),
  },
);

const editArb: fc.Arbitrary<EditSpec> = fc.oneof(
  { weight: 1, arbitrary: textArb.map((text): EditSpec => ({ kind: 'full', text })) },
  { weight: 12, arbitrary: fc.record({ at: fc.nat(), length: fc.nat(12), text: insertArb }).map((e): EditSpec => ({ kind: 'splice', ...e })) },
  { weight: 2, arbitrary: fc.record({ from: posArb, to: posArb, text: insertArb }).map((e): EditSpec => ({ kind: 'range', ...e })) },
);

/** Rules that fire on most of the generated units, so that changing their severity shows. */
const COMMON_RULES = ['missing-native-architectures', 'no-new-privileges-missing', 'unknown-directive', 'misspelled-hardening-directive', 'duplicate-directive', 'directive-not-in-version'].filter((id) => RULES.some((r) => r.id === id));
const severity = fc.constantFrom(...SEVERITY_SETTINGS, 'loud', 3);
const settingsArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        target: fc.record(
          {
            preset: fc.constantFrom(...PRESET_NAMES, '', 'gentoo', 7),
            systemdVersion: fc.constantFrom('', '245', '248.3', '249.5', '252', '255', '257', '262', '999', '100', 'abc', 252),
            arch: fc.constantFrom(...ARCHES, 'vax', null),
            kernel: fc.constantFrom('', '4.9', '5.10', '5.11', '6.1', '6.3', '6.8', 'x', '99.0'),
          },
          { requiredKeys: [] },
        ),
        rules: fc.dictionary(fc.oneof(fc.constantFrom(...COMMON_RULES), fc.constantFrom(...RULES.map((r) => r.id), 'no-such-rule')), severity, { maxKeys: 6 }),
        codeLens: fc.record({ enable: fc.oneof(fc.boolean(), fc.constant('yes')) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, [], 5, 'x', {}) },
);

/** The drop-ins among URIS: opened mostly with a few hardening lines, which change what the units beside them merge. */
const DROPIN_URIS = new Set(URIS.flatMap((u, i) => (u.endsWith('.conf') ? [i] : [])));
const dropinTextArb = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...HARDENING), { maxLength: 4 }).map((lines) => `[Service]\n${lines.join('\n')}\n`) },
  { weight: 1, arbitrary: openTextArb },
);

/** Mostly a.service and the drop-ins that apply to it, so edits of one show in the other. */
const docArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.constant(1) },
  { weight: 2, arbitrary: fc.constantFrom(3, 4) },
  { weight: 3, arbitrary: fc.nat(URIS.length - 1) },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: docArb.chain((doc) =>
      fc.record({ kind: fc.constant('open' as const), doc: fc.constant(doc), version: fc.nat(5), text: DROPIN_URIS.has(doc) ? dropinTextArb : openTextArb }),
    ),
  },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('change' as const), doc: docArb, edits: fc.array(editArb, { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('close' as const), doc: docArb }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      doc: docArb,
      method: fc.constantFrom(...METHODS),
      at: posArb,
      to: posArb,
      diags: fc.constantFrom('latest' as const, 'none' as const, 'garbage' as const),
      cancelAfter: fc.option(fc.nat(3), { nil: undefined, freq: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bogus-cancel' as const), id: fc.oneof(fc.integer({ min: -5, max: 100000 }), fc.string({ maxLength: 4 })) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('config' as const), settings: settingsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 200 }) }) },
  // Check the diagnostics mid-sequence too: more states are checked than the final one.
  { weight: 2, arbitrary: fc.constant<Step>({ kind: 'settle' }) },
);

// ---------------------------------------------------------------------------------------------
// The client-side model and the in-process oracle.

type Mode = 'push' | 'pull';

class Model {
  readonly open = new Map<string, TextDocument>();
  /** The `unitHarden` section the client would report. */
  section: unknown = undefined;
  service: LanguageService = getLanguageService(parseSettings(undefined));
  /** Versions the client sent per uri (a publish may only carry one of these). */
  readonly sentVersions = new Map<string, Set<number>>();

  setSection(section: unknown): void {
    this.section = section;
    this.service = getLanguageService(parseSettings(section));
  }

  private readonly reader: FileReader = {
    listDir: (dir) => {
      try {
        return fs.readdirSync(dir);
      } catch {
        return undefined;
      }
    },
    readFile: (file) => {
      for (const d of this.open.values()) if (uriToPath(d.uri) === file) return d.getText();
      try {
        return fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    },
  };

  unitOf(doc: TextDocument): ReturnType<LanguageService['parseUnit']> {
    return this.service.parseUnit(doc, uriToPath(doc.uri), doc.uri.startsWith('file:') ? this.reader : undefined);
  }

  diagnostics(doc: TextDocument): Diagnostic[] {
    return this.service.doValidation(doc, this.unitOf(doc));
  }

  noteVersion(uri: string, v: number): void {
    const s = this.sentVersions.get(uri) ?? new Set<number>();
    s.add(v);
    this.sentVersions.set(uri, s);
  }
}

function resolvePos(doc: TextDocument | undefined, p: PosSpec): Position {
  if (p.kind === 'raw') return { line: p.line, character: p.character };
  const len = doc?.getText().length ?? 0;
  return doc ? doc.positionAt(p.n % (len + 1)) : { line: 0, character: p.n % 10 };
}

function resolveRange(doc: TextDocument | undefined, a: PosSpec, b: PosSpec): Range {
  return { start: resolvePos(doc, a), end: resolvePos(doc, b) };
}

/** JSON round trip: what the wire turns a value into (undefined fields dropped). */
function wire<T>(v: T): T {
  return v === undefined ? (null as T) : (JSON.parse(JSON.stringify(v)) as T);
}

/** What the server must answer for a request on the text the client has sent so far. */
function expectedAnswer(model: Model, method: Method, uri: string, range: Range, diags: Diagnostic[]): unknown {
  const doc = model.open.get(uri);
  if (method === 'textDocument/hover') return doc ? wire(model.service.doHover(doc, range.start, model.unitOf(doc))) : null;
  if (method === 'unitHarden/preview') return doc ? undefined : null;
  if (!doc) return [];
  const unit = model.unitOf(doc);
  switch (method) {
    case 'textDocument/completion':
      return wire(model.service.doComplete(doc, range.start, unit));
    case 'textDocument/codeAction':
      return wire(model.service.doCodeActions(doc, range, diags, unit));
    case 'textDocument/codeLens':
      return wire(model.service.getCodeLenses(doc, unit));
    case 'textDocument/documentSymbol':
      return wire(model.service.findDocumentSymbols(doc, unit));
    case 'textDocument/foldingRange':
      return wire(model.service.getFoldingRanges(doc, unit));
  }
}

function paramsFor(method: Method, uri: string, range: Range, diags: Diagnostic[]): unknown {
  switch (method) {
    case 'textDocument/hover':
    case 'textDocument/completion':
      return { textDocument: { uri }, position: range.start };
    case 'textDocument/codeAction':
      return { textDocument: { uri }, range, context: { diagnostics: diags } };
    case 'unitHarden/preview':
      return { uri };
    default:
      return { textDocument: { uri } };
  }
}

const GARBAGE_DIAGS = [
  { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } }, message: 'x', code: 'misspelled-hardening-directive', data: { replacement: 'SystemCallFilter' } },
  { range: { start: { line: 99, character: 0 }, end: { line: 0, character: 0 } }, message: 'y', code: 'duplicate-directive' },
  { range: { start: { line: 1, character: 2 }, end: { line: 1, character: 9 } }, message: 'z', code: 'syscall-filter-unknown-name', data: 42 },
] as unknown as Diagnostic[];

// ---------------------------------------------------------------------------------------------
// Running a sequence

const servers = new Map<Mode, { server: TestServer; model: Model }>();

async function serverFor(mode: Mode): Promise<{ server: TestServer; model: Model }> {
  const hit = servers.get(mode);
  if (hit) return hit;
  const model = new Model();
  const server = startTestServer({ configuration: (items) => items.map(() => wire(model.section)) });
  await server.conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: mode === 'pull' ? { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } } : {},
  });
  await server.conn.sendNotification('initialized', {});
  const entry = { server, model };
  servers.set(mode, entry);
  return entry;
}

/** Failures the server reports about itself: it exited, logged an error, or wrote a crash to stderr. */
function selfReportedFailure(server: TestServer): string | undefined {
  const exit = server.exited();
  if (exit) return `the server exited (code ${exit.code}, signal ${exit.signal}); stderr: ${server.stderr().slice(0, 2000)}`;
  const err = server.logs.find((m) => m.type === 1);
  if (err) return `the server logged an error: ${err.message.slice(0, 3000)}`;
  if (/error|exception|uncaught|unhandled|fatal|abort|segmentation|heap|\n\s+at /i.test(server.stderr())) return `crash output on stderr: ${server.stderr().slice(0, 2000)}`;
  return undefined;
}

interface Pending {
  readonly label: string;
  readonly promise: Promise<unknown>;
  readonly expected: unknown;
  readonly check: boolean;
  readonly previewOf: { uri: string; version: number } | null | undefined;
  cancelled: boolean;
}

let totalSteps = 0;

async function runSequence(mode: Mode, steps: readonly Step[]): Promise<void> {
  const { server, model } = await serverFor(mode);
  const { conn } = server;
  // Reset: close what the previous sequence left open.
  for (const uri of [...model.open.keys()]) {
    await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    model.open.delete(uri);
  }
  const touched = new Set<string>();
  const pending: Pending[] = [];
  const cancels: { at: number; source: CancellationTokenSource; p: Pending }[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    totalSteps++;
    for (const c of cancels.filter((c) => c.at === i)) {
      c.p.cancelled = true;
      c.source.cancel();
    }
    switch (step.kind) {
      case 'open': {
        const uri = URIS[step.doc]!;
        touched.add(uri);
        if (model.open.has(uri)) {
          model.open.delete(uri);
          await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
        }
        model.open.set(uri, TextDocument.create(uri, 'systemd-unit', step.version, step.text));
        model.noteVersion(uri, step.version);
        await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'systemd-unit', version: step.version, text: step.text } });
        break;
      }
      case 'change': {
        const uri = URIS[step.doc]!;
        const doc = model.open.get(uri);
        const changes: TextDocumentContentChangeEvent[] = [];
        // Positions of later edits resolve against the text after the earlier ones, as the server applies them.
        let cur = doc;
        for (const e of step.edits) {
          const c: TextDocumentContentChangeEvent =
            e.kind === 'full'
              ? { text: e.text }
              : e.kind === 'splice'
                ? { range: resolveRange(cur, { kind: 'offset', n: e.at }, { kind: 'offset', n: (e.at % ((cur?.getText().length ?? 0) + 1)) + e.length }), text: e.text }
                : { range: resolveRange(cur, e.from, e.to), text: e.text };
          changes.push(c);
          if (cur) cur = TextDocument.update(TextDocument.create(uri, 'systemd-unit', cur.version, cur.getText()), [c], cur.version);
        }
        const version = (doc?.version ?? 0) + 1;
        if (doc) {
          model.open.set(uri, TextDocument.update(doc, changes, version));
          model.noteVersion(uri, version);
        }
        // A change for a closed document is a client bug the server must shrug off.
        await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
        break;
      }
      case 'close': {
        const uri = URIS[step.doc]!;
        model.open.delete(uri);
        await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
        break;
      }
      case 'request': {
        const uri = URIS[step.doc]!;
        const doc = model.open.get(uri);
        const range = resolveRange(doc, step.at, step.to);
        const diags = step.diags === 'none' ? [] : step.diags === 'garbage' ? GARBAGE_DIAGS : (server.latest(uri)?.diagnostics ?? []);
        let expected: unknown;
        try {
          expected = mode === 'push' ? expectedAnswer(model, step.method, uri, range, diags) : undefined;
        } catch (err) {
          throw new Error(`the language service threw in-process on ${step.method}: ${err instanceof Error ? err.stack : String(err)}`);
        }
        const source = step.cancelAfter !== undefined ? new CancellationTokenSource() : undefined;
        const params = paramsFor(step.method, uri, range, diags);
        const promise = source ? conn.sendRequest(step.method, params, source.token) : conn.sendRequest(step.method, params);
        const p: Pending = {
          label: `${step.method} ${uri} ${JSON.stringify(range)}`,
          promise: promise.then(
            (v) => v,
            (e: unknown) => e,
          ),
          expected,
          check: mode === 'push' && step.method !== 'unitHarden/preview',
          previewOf: step.method === 'unitHarden/preview' ? (doc ? { uri, version: doc.version } : null) : undefined,
          cancelled: false,
        };
        pending.push(p);
        if (source) {
          if (step.cancelAfter === 0) {
            p.cancelled = true;
            source.cancel();
          } else cancels.push({ at: i + step.cancelAfter!, source, p });
        }
        break;
      }
      case 'bogus-cancel':
        await conn.sendNotification('$/cancelRequest', { id: step.id });
        break;
      case 'config':
        model.setSection(step.settings);
        // Push: the settings ride along; pull: the server asks for them (and gets `model.section`).
        await conn.sendNotification('workspace/didChangeConfiguration', { settings: mode === 'push' ? { unitHarden: step.settings } : null });
        break;
      case 'pause':
        await new Promise((r) => setTimeout(r, step.ms));
        break;
      case 'settle':
        await checkSettled(server, model, touched, mode, 0);
        break;
    }
  }
  for (const c of cancels) {
    c.p.cancelled = true;
    c.source.cancel();
  }

  // Every request is answered: a result, or (when cancelled) RequestCancelled.
  for (const p of pending) {
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([p.promise, new Promise((r) => (timer = setTimeout(() => r(HANG), ANSWER_TIMEOUT_MS)))]);
    clearTimeout(timer);
    assert.notEqual(answer, HANG, `no answer within ${ANSWER_TIMEOUT_MS} ms to ${p.label}`);
    if (answer instanceof ResponseError) {
      assert.ok(p.cancelled && answer.code === REQUEST_CANCELLED, `error answer to ${p.label}: ${answer.code} ${answer.message}`);
      continue;
    }
    assert.ok(!(answer instanceof Error), `${p.label} failed: ${String(answer)}`);
    if (p.check) assert.deepEqual(answer, p.expected, `${p.label}: the answer differs from the language service's`);
    if (p.previewOf === null) assert.equal(answer, null, `${p.label}: preview of a closed document`);
    else if (p.previewOf) {
      const a = answer as { uri?: unknown; version?: unknown; filters?: unknown; error?: unknown };
      assert.ok(a !== null && typeof a === 'object', `${p.label}: no preview for an open document`);
      assert.deepEqual([a.uri, a.version], [p.previewOf.uri, p.previewOf.version], `${p.label}: preview of another version`);
      assert.ok(Array.isArray(a.filters) || typeof a.error === 'string', `${p.label}: preview without filters or error`);
    }
  }

  await checkSettled(server, model, touched, mode, 250);
}

/**
 * Waits until the server has handled everything sent, then checks that the last publish of every
 * document the sequence opened (and every open one) is current: the latest version and the
 * language service's diagnostics for it, or empty once closed. After `quietMs` (longer than the
 * server's debounce) it checks again, so a stale publish arriving late is caught too.
 */
async function checkSettled(server: TestServer, model: Model, touched: ReadonlySet<string>, mode: Mode, quietMs: number): Promise<void> {
  const { conn } = server;
  // Requests are answered in order, so after this every notification has been handled.
  assert.equal(await conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///barrier.service' }, position: { line: 0, character: 0 } }), null);

  const expected = new Map<string, { version: number | undefined; diagnostics: Diagnostic[] }>();
  for (const uri of touched) {
    const doc = model.open.get(uri);
    expected.set(uri, doc ? { version: doc.version, diagnostics: wire(model.diagnostics(doc)) } : { version: undefined, diagnostics: [] });
  }
  // Drop-ins change the diagnostics of units that were not touched but are open.
  for (const [uri, doc] of model.open) if (!expected.has(uri)) expected.set(uri, { version: doc.version, diagnostics: wire(model.diagnostics(doc)) });
  const mismatches = (): string[] => {
    const out: string[] = [];
    for (const [uri, want] of expected) {
      const got = server.latest(uri);
      const same = got !== undefined && got.version === want.version && JSON.stringify(got.diagnostics) === JSON.stringify(want.diagnostics);
      if (!same) out.push(`${uri}: last publish ${got ? `v${got.version} ${JSON.stringify(got.diagnostics).slice(0, 600)}` : 'none'}; want v${want.version} ${JSON.stringify(want.diagnostics).slice(0, 600)}`);
    }
    return out;
  };
  const settle = async (): Promise<void> => {
    try {
      await waitFor(() => mismatches().length === 0 || selfReportedFailure(server) !== undefined, 'the diagnostics to settle', ANSWER_TIMEOUT_MS);
    } catch {
      // reported below with the details
    }
  };
  await settle();
  if (quietMs > 0) await new Promise((r) => setTimeout(r, quietMs));
  assert.equal(selfReportedFailure(server), undefined);
  const wrong = mismatches();
  assert.deepEqual(wrong, [], `stale or wrong diagnostics (${mode} settings):\n${wrong.join('\n')}`);
  for (const p of server.published) {
    if (p.version === undefined || p.version === null) continue;
    assert.ok(model.sentVersions.get(p.uri)?.has(p.version), `publish for ${p.uri} with version ${p.version}, which the client never sent`);
  }
}

const HANG = Symbol('hang');

after(async () => {
  for (const { server } of servers.values()) await server.stop();
  fs.rmSync(TMP, { recursive: true, force: true });
});

test(`random LSP sessions over stdio: answers, no crash, no stale diagnostics (${SEQUENCES} sequences, seed ${SEED})`, { timeout: 30 * 60 * 1000 }, async (t) => {
  const counter = new CaseCounter();
  const modeArb = fc.constantFrom<Mode>('push', 'push', 'pull');
  await fc.assert(
    fc.asyncProperty(
      modeArb,
      fc.array(stepArb, { minLength: 1, maxLength: 50, size: 'max' }),
      async (mode: Mode, steps: Step[]) => {
        await runSequence(mode, steps);
        counter.count++;
      },
    ),
    { numRuns: SEQUENCES, seed: SEED, endOnFailure: !SHRINK },
  );
  // Both servers are still alive and answer.
  for (const [mode, { server }] of servers) {
    assert.equal(selfReportedFailure(server), undefined, mode);
    assert.equal(await server.conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///alive.service' }, position: { line: 0, character: 0 } }), null);
  }
  reportCases(t, counter.count);
  t.diagnostic(`steps: ${totalSteps}`);
});

test('after the sessions the server shuts down cleanly (exit code 0)', async () => {
  assert.ok(servers.size > 0, 'the fuzz test ran first');
  for (const [mode, { server }] of servers) {
    await server.conn.sendRequest('shutdown');
    await server.conn.sendNotification('exit');
    const exit = await waitFor(() => server.exited(), `${mode} server to exit`, 10000);
    assert.deepEqual(exit, { code: 0, signal: null }, mode);
  }
});
