/**
 * `unit-harden preview FILE`: the exact seccomp filters systemd installs for a unit (count,
 * install order, ABIs, default action, rules and BPF size) for a chosen systemd release and host,
 * as a table or as one JSON object, optionally writing each filter's BPF program to a directory.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadUnit } from '../model/unit';
import { decode, diskReader, readInput, UsageError } from './io';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { getLanguageService } from '../languageService';
import { parseSettings } from '../settings';
import { encodeProgram } from '../seccomp/bpf';
import { formatAction, planFilters, type FilterPlan, type PlannedFilter } from '../seccomp/planner';
import { compactRules } from '../seccomp/ruleText';
import { localArchs } from '../seccomp/abi';
import { PRESETS, resolveTarget, type TargetInput } from '../seccomp/target';
import { planCost, type PlanCost } from '../seccomp/planCost';
import { disassemble } from '../seccomp/disasm';

export interface PreviewIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

const USAGE = `Usage: unit-harden preview FILE [options]

Shows the seccomp filters systemd installs for the unit's sandboxed command, in install order.

Options:
  --systemd VERSION     systemd release, e.g. 252.39, 248.3, 257 (default: the debian-12 preset's)
  --arch ARCH           ABI systemd was built for: x86-64, x86, x32, arm64, arm, ppc64-le, s390x, riscv64…
                        (aliases such as x86_64, amd64, aarch64, i686, ppc64le are accepted; default x86-64)
  --kernel VERSION      kernel of the host, e.g. 6.1 (default 6.1; 6.3+ turns MemoryDenyWriteExecute= into a prctl)
  --libseccomp VERSION  libseccomp systemd links (2.5.4, 2.5.4-1+deb12u1, 2.6.0, 2.6.1; others map to the nearest)
  --preset NAME         ${Object.keys(PRESETS).join(', ')}
  --json                print one JSON object instead of the table
  --markdown            print the report as Markdown (a table of the filters, per-ABI totals, the cost)
  --bpf-dir DIR         write each filter's BPF program as DIR/NN.bpf (00 = first loaded; raw struct sock_filter, little-endian)
  --disasm              also print each filter's BPF program (scmp_bpf_disasm format)
  --no-dropins          do not merge the drop-ins found beside FILE

Exit status: 0 planned, 1 systemd would refuse the unit or fail the command, 2 usage error or unreadable file.`;

interface Options {
  file: string;
  target: TargetInput;
  json: boolean;
  markdown: boolean;
  bpfDir: string | undefined;
  dropins: boolean;
  disasm: boolean;
}

function parseArgs(argv: readonly string[]): Options | 'help' {
  const files: string[] = [];
  const target: { -readonly [K in keyof TargetInput]: TargetInput[K] } = {};
  let json = false;
  let markdown = false;
  let bpfDir: string | undefined;
  let dropins = true;
  let disasm = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`unit-harden: ${name} needs a value\n\n${USAGE}`);
      return v;
    };
    switch (name) {
      case '--help':
      case '-h':
        return 'help';
      case '--systemd':
        target.systemd = value();
        break;
      case '--arch':
        target.arch = value();
        break;
      case '--kernel':
        target.kernel = value();
        break;
      case '--libseccomp':
        target.libseccomp = value();
        break;
      case '--preset':
        target.preset = value();
        break;
      case '--json':
        json = true;
        break;
      case '--markdown':
        markdown = true;
        break;
      case '--bpf-dir':
        bpfDir = value();
        break;
      case '--no-dropins':
        dropins = false;
        break;
      case '--disasm':
        disasm = true;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unit-harden: unknown option ${arg}\n\n${USAGE}`);
        files.push(arg);
    }
  }
  if (files.length !== 1) throw new UsageError(`unit-harden: preview takes exactly one unit file${files.length ? ` (got ${files.length})` : ''}\n\n${USAGE}`);
  if (json && markdown) throw new UsageError(`unit-harden: --json and --markdown exclude each other\n\n${USAGE}`);
  return { file: files[0]!, target, json, markdown, bpfDir, dropins, disasm };
}

// ---------------------------------------------------------------------------------------------
// Output.


function firstLine(f: PlannedFilter): number | null {
  return f.sources[0]?.line ?? null;
}

/** Filters and instructions per ABI (a filter counts for every ABI its program contains), in seccomp_local_archs[] order. */
function perAbi(plan: FilterPlan): Map<string, { filters: number; instructions: number | null }> {
  const m = new Map<string, { filters: number; instructions: number | null }>();
  for (const abi of localArchs(plan.target.host, plan.target.major)) m.set(abi, { filters: 0, instructions: 0 });
  for (const f of plan.filters) {
    for (const abi of f.abis) {
      const e = m.get(abi) ?? { filters: 0, instructions: 0 };
      e.filters++;
      e.instructions = e.instructions === null || f.instructions === null ? null : e.instructions + f.instructions;
      m.set(abi, e);
    }
  }
  return m;
}

function totalInstructions(plan: FilterPlan): number | null {
  let n = 0;
  for (const f of plan.filters) {
    if (f.instructions === null) return null;
    n += f.instructions;
  }
  return n;
}

export function planToJson(plan: FilterPlan, unitName: string): Record<string, unknown> {
  const byAbi: Record<string, number> = {};
  for (const [abi, e] of perAbi(plan)) if (e.filters > 0) byAbi[abi] = e.filters;
  return {
    unit: unitName,
    systemd: plan.target.systemd,
    arch: plan.target.host,
    kernel: plan.target.kernel,
    filters: plan.filters.map((f) => ({
      index: f.index,
      directive: f.directive,
      abis: f.abis,
      defaultAction: formatAction(f.spec.defaultAction),
      // `rules`: how many rules systemd added that libseccomp accepted on this ABI (rules for
      // syscalls the ABI lacks fail with -EDOM and are dropped, as systemd does); `ruleList`
      // spells them out compactly (see compactRules()).
      rules: f.acceptedRules,
      line: firstLine(f),
      instructions: f.instructions,
      ruleList: compactRules(f),
      sources: f.sources.map((s) => ({ file: s.file, line: s.line })),
      ...(f.note !== undefined ? { note: f.note } : {}),
      ...(f.spec.optimize === 2 ? { optimize: 'binary-tree' } : {}),
    })),
    totals: { filters: plan.filters.length, instructions: totalInstructions(plan), byAbi },
    cost: planCost(plan) ?? {},
    diagnostics: plan.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, file: d.file ?? null, line: d.line ?? null })),
    libseccomp: plan.target.libseccomp,
    noNewPrivileges: plan.noNewPrivileges,
    commands: plan.commands,
    ...(plan.refused !== undefined ? { refused: plan.refused } : {}),
  };
}

/** `default ← rule actions` of a filter, e.g. `allow ← errno(EAFNOSUPPORT)`; the arch filter's other-ABI action. */
export function effect(f: PlannedFilter): string {
  if (f.directive === 'SystemCallArchitectures') return `allow, other ABIs ${formatAction(f.spec.badArchAction)}`;
  const actions: string[] = [];
  f.spec.rules.forEach((r, i) => {
    const a = formatAction(r.action);
    if ((f.ruleErrnos[i] ?? 0) === 0 && !actions.includes(a)) actions.push(a);
  });
  return `${formatAction(f.spec.defaultAction)}${actions.length ? ` ← ${actions.join(', ')}` : ''}${f.spec.optimize === 2 ? ' (tree)' : ''}`;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The cost part of the text report. */
export function costText(cost: PlanCost): string[] {
  const out: string[] = [];
  const n = cost.native;
  out.push(`  Cost per ${n.abi} system call (BPF instructions over the whole chain when it runs):`);
  out.push(`    allowed syscalls: min ${n.miss.min} (${n.miss.minSyscall ?? '?'}), median ${n.miss.median}, max ${n.miss.max} (${n.miss.maxSyscall ?? '?'})`);
  for (const o of cost.otherAbis) {
    if (o.miss.count > 0) out.push(`    from ${o.abi}: min ${o.miss.min}, median ${o.miss.median}, max ${o.miss.max}${o.cacheable ? '' : ' (never cached)'}`);
    else out.push(`    from ${o.abi}: every call is refused`);
  }
  if (cost.actionCache) {
    out.push(`  Kernel ${cost.kernel} action cache: ${n.cachedSyscalls} ${n.abi} syscall numbers skip every filter, ${n.uncachedSyscalls} run the chain.`);
    if (cost.allowedUncached.length > 0) {
      out.push(`    allowed but uncached (${cost.allowedUncached.length}): ${cost.allowedUncached.map((u) => `${u.name} ${u.instructions}`).join(', ')}`);
    }
  } else {
    out.push(`  Kernel ${cost.kernel} has no seccomp action cache (5.11+): every call runs the whole chain.`);
  }
  const hot = cost.hot.filter((h) => h.allowed);
  const slow = hot.filter((h) => !(h.cached && cost.actionCache));
  const fast = hot.filter((h) => h.cached && cost.actionCache);
  if (slow.length > 0) out.push(`    hot syscalls that run the chain: ${slow.map((h) => `${h.name} ${h.instructions}`).join(', ')}`);
  if (fast.length > 0) out.push(`    hot syscalls the cache serves: ${fast.map((h) => h.name).join(', ')}`);
  const l = cost.limits;
  out.push(`  Kernel limits: ${l.pathTotal} of ${l.maxInsnsPerPath} path instructions used${l.tooLong.length ? `; filters over ${l.maxInsnsPerFilter}: ${l.tooLong.map((i) => `#${i}`).join(', ')}` : ''}${l.firstOverPath !== undefined ? `; the path limit is exceeded at filter #${l.firstOverPath}` : ''}.`);
  return out;
}

export function planToText(plan: FilterPlan, unitName: string, mainFile: string): string {
  const t = plan.target;
  const out: string[] = [];
  const total = totalInstructions(plan);
  out.push(`${unitName} — systemd ${t.systemd} built for ${t.host}, kernel ${t.kernel}, libseccomp ${t.libseccomp}${t.preset ? ` (preset ${t.preset})` : ''}`);
  const nnp = plan.noNewPrivileges;
  out.push(
    `${plan.filters.length} seccomp filter${plan.filters.length === 1 ? '' : 's'}${total !== null ? `, ${total} BPF instructions` : ''}; NoNewPrivileges=${nnp.value ? 'yes' : 'no'}${nnp.implied ? ' (implied)' : ''}`,
  );
  if (plan.refused) out.push(`REFUSED: ${plan.refused}`);
  out.push('');
  if (plan.filters.length > 0) {
    const rows = plan.filters.map((f) => {
      const src = f.sources[0];
      const where = src ? (src.file === mainFile ? `${src.line}` : `${path.basename(src.file)}:${src.line}`) : '';
      return [
        String(f.index),
        f.abis.join('+'),
        f.directive,
        where,
        f.directive === 'SystemCallArchitectures' ? '-' : String(f.acceptedRules),
        f.instructions === null ? '?' : String(f.instructions),
        effect(f),
      ];
    });
    const head = ['#', 'ABI', 'Directive', 'Line', 'Rules', 'Insns', 'Default ← rules'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const right = [true, false, false, true, true, true, false];
    const fmt = (r: string[]): string => '  ' + r.map((c, i) => pad(c, w[i]!, right[i])).join('  ').trimEnd();
    out.push(fmt(head));
    out.push('  ' + w.map((n) => '─'.repeat(n)).join('  '));
    for (const r of rows) out.push(fmt(r));
    out.push('');
    out.push('  Per ABI (a filter counts for every ABI its program checks):');
    for (const [abi, e] of perAbi(plan)) {
      if (e.filters === 0) continue;
      out.push(`    ${pad(abi, 8)} ${pad(String(e.filters), 3, true)} filter${e.filters === 1 ? ' ' : 's'}${e.instructions !== null ? `  ${pad(String(e.instructions), 5, true)} instructions` : ''}`);
    }
    const cost = planCost(plan);
    if (cost) out.push('', ...costText(cost));
    const notes = plan.filters.filter((f) => f.note).map((f) => `    #${f.index} ${f.directive} (${f.abis.join('+')}): ${f.note}`);
    const seen = new Set<string>();
    const uniqueNotes = notes.filter((n) => {
      const k = n.replace(/^ {4}#\d+ /, '').replace(/\(.*?\): /, '');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (uniqueNotes.length > 0) {
      out.push('');
      out.push('  Notes:');
      out.push(...uniqueNotes);
    }
  } else if (!plan.refused) {
    out.push('  No seccomp filters.');
  }
  const shown = plan.diagnostics.filter((d) => d.severity !== 'info' || d.code.startsWith('plan-') || d.code.startsWith('target-'));
  if (shown.length > 0) {
    out.push('');
    for (const d of shown) {
      const where = d.file ? `${d.file === mainFile ? path.basename(d.file) : d.file}${d.line ? `:${d.line}` : ''}: ` : '';
      out.push(`  ${where}${d.severity}: ${d.message}${d.severity === 'info' ? '' : ` [${d.code}]`}`);
    }
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Markdown.

/** Text for a Markdown table cell: pipes, backslashes, HTML-significant characters and line breaks escaped. */
export function mdCell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, '<br>');
}

/** Inline code that survives any backticks inside. */
function mdCode(s: string): string {
  const ticks = s.match(/`+/g)?.reduce((n, t) => Math.max(n, t.length), 0) ?? 0;
  const fence = '`'.repeat(ticks + 1);
  return `${fence}${ticks > 0 ? ' ' : ''}${s}${ticks > 0 ? ' ' : ''}${fence}`;
}

/** The cost part of the Markdown report. */
export function costMarkdown(cost: PlanCost): string[] {
  return ['## Cost', '', ...costText(cost).map((l) => l.replace(/^ {2}/, '')).map((l) => (l.startsWith('  ') ? `  - ${mdCell(l.trim())}` : `- ${mdCell(l)}`))];
}

/**
 * The preview as Markdown: a header line, one table of the filters in install order
 * (`| # | ABI | Directive | Line | Rules | Insns | Default ← rules |`), per-ABI totals, the cost,
 * notes and the diagnostics; with `disasm`, each filter's BPF program in a code block.
 */
export function planToMarkdown(plan: FilterPlan, unitName: string, mainFile: string, disasm = false): string {
  const t = plan.target;
  const out: string[] = [];
  const total = totalInstructions(plan);
  const nnp = plan.noNewPrivileges;
  out.push(`# Seccomp filters of ${mdCell(unitName)}`, '');
  out.push(`systemd ${mdCell(t.systemd)} built for ${mdCell(t.host)}, kernel ${mdCell(t.kernel)}, libseccomp ${mdCell(t.libseccomp)}${t.preset ? ` (preset ${mdCell(t.preset)})` : ''}.`, '');
  out.push(
    `**${plan.filters.length} seccomp filter${plan.filters.length === 1 ? '' : 's'}**${total !== null ? `, **${total} BPF instructions**` : ''}; NoNewPrivileges=${nnp.value ? 'yes' : 'no'}${nnp.implied ? ' (implied)' : ''}.`,
  );
  if (plan.refused) out.push('', `**Refused:** ${mdCell(plan.refused)}`);
  out.push('');
  if (plan.filters.length > 0) {
    out.push('## Filters (install order)', '');
    out.push('| # | ABI | Directive | Line | Rules | Insns | Default ← rules |');
    out.push('| ---: | --- | --- | ---: | ---: | ---: | --- |');
    for (const f of plan.filters) {
      const src = f.sources[0];
      const where = src ? (src.file === mainFile ? `${src.line}` : `${path.basename(src.file)}:${src.line}`) : '';
      const cells = [
        String(f.index),
        f.abis.join('+'),
        f.directive,
        where,
        f.directive === 'SystemCallArchitectures' ? '-' : String(f.acceptedRules),
        f.instructions === null ? '?' : String(f.instructions),
        effect(f),
      ];
      out.push(`| ${cells.map(mdCell).join(' | ')} |`);
    }
    out.push('', '## Per ABI', '', '| ABI | Filters | Instructions |', '| --- | ---: | ---: |');
    for (const [abi, e] of perAbi(plan)) {
      if (e.filters === 0) continue;
      out.push(`| ${mdCell(abi)} | ${e.filters} | ${e.instructions ?? '?'} |`);
    }
    const cost = planCost(plan);
    if (cost) out.push('', ...costMarkdown(cost));
    const notes = plan.filters.filter((f) => f.note);
    if (notes.length > 0) {
      out.push('', '## Notes', '');
      const seen = new Set<string>();
      for (const f of notes) {
        const k = `${f.directive}\0${f.note}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(`- #${f.index} ${mdCell(f.directive)} (${mdCell(f.abis.join('+'))}): ${mdCell(f.note!)}`);
      }
    }
    out.push('', '## Rules', '');
    for (const f of plan.filters) {
      const rules = compactRules(f);
      out.push(`- #${f.index} ${mdCell(f.directive)} (${mdCell(f.abis.join('+'))}), default ${mdCode(formatAction(f.spec.defaultAction))}${rules.length ? ':' : ''}`);
      for (const r of rules) out.push(`  - ${mdCode(r)}`);
    }
  } else if (!plan.refused) {
    out.push('No seccomp filters.');
  }
  const shown = plan.diagnostics.filter((d) => d.severity !== 'info' || d.code.startsWith('plan-') || d.code.startsWith('target-'));
  if (shown.length > 0) {
    out.push('', '## Diagnostics', '');
    for (const d of shown) {
      const where = d.file ? `${d.file === mainFile ? path.basename(d.file) : d.file}${d.line ? `:${d.line}` : ''}: ` : '';
      out.push(`- ${mdCell(where)}${d.severity}: ${mdCell(d.message)}${d.severity === 'info' ? '' : ` [${mdCell(d.code)}]`}`);
    }
  }
  if (disasm) {
    const programs = plan.filters.filter((f) => f.program);
    if (programs.length > 0) out.push('', '## BPF programs');
    for (const f of programs) {
      out.push('', `### Filter ${f.index}: ${mdCell(f.directive)} (${mdCell(f.abis.join('+'))}), ${f.program!.instructions.length} instructions`, '', '```', disassemble(f.program!).trimEnd(), '```');
    }
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------

/** Runs `unit-harden preview …`; returns the exit code. Never throws. */
export async function runPreview(args: readonly string[], io: PreviewIo): Promise<number> {
  try {
    const opts = parseArgs(args);
    if (opts === 'help') {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const { target, diagnostics: targetDiags } = resolveTarget(opts.target);
    if (!target) {
      io.stderr(`${targetDiags.filter((d) => d.severity === 'error').map((d) => `unit-harden: ${d.message}`).join('\n')}\n`);
      return 2;
    }
    const { text, invalidLines } = decode(readInput(opts.file));
    const unit = loadUnit(opts.file, text, opts.dropins ? diskReader : undefined, invalidLines.size > 0 ? { invalidUtf8Lines: invalidLines } : {});
    const plan = planFilters(unit, target);
    // The unit's own problems come first: a misspelt directive changes the plan (systemd ignores it).
    const ls = getLanguageService(parseSettings({ target: { systemdVersion: target.systemd } }));
    const doc = TextDocument.create(`file://${path.resolve(opts.file)}`, 'systemd-unit', 1, text);
    const lint = ls.doValidation(doc, unit).filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning);
    plan.diagnostics.unshift(
      ...lint.map((d) => ({
        code: String(d.code),
        severity: d.severity === DiagnosticSeverity.Error ? ('error' as const) : ('warning' as const),
        message: d.message,
        file: opts.file,
        line: d.range.start.line + 1,
        span: { offset: doc.offsetAt(d.range.start), length: doc.offsetAt(d.range.end) - doc.offsetAt(d.range.start) },
      })),
    );
    for (const d of targetDiags) {
      if (d.severity !== 'error') plan.diagnostics.unshift({ code: d.code, severity: d.severity, message: d.message, file: undefined, line: undefined, span: undefined });
    }
    if (opts.target.kernel === undefined && opts.target.preset === undefined) {
      plan.diagnostics.unshift({ code: 'target-kernel-assumed', severity: 'info', message: `no --kernel given: assuming ${target.kernel}`, file: undefined, line: undefined, span: undefined });
    }

    if (opts.bpfDir !== undefined) {
      const missing = plan.filters.filter((f) => !f.program);
      if (missing.length > 0) throw new UsageError(`unit-harden: cannot write BPF: the libseccomp port could not build filter${missing.length > 1 ? 's' : ''} ${missing.map((f) => `#${f.index}`).join(', ')}`);
      try {
        fs.mkdirSync(opts.bpfDir, { recursive: true });
        for (const f of plan.filters) {
          fs.writeFileSync(path.join(opts.bpfDir, `${String(f.index).padStart(2, '0')}.bpf`), encodeProgram(f.program!, 'little'));
        }
      } catch (err) {
        throw new UsageError(`unit-harden: cannot write to ${opts.bpfDir}: ${(err as Error).message}`);
      }
    }

    if (opts.json) io.stdout(`${JSON.stringify(planToJson(plan, unit.unitName), null, 2)}\n`);
    else if (opts.markdown) io.stdout(planToMarkdown(plan, unit.unitName, opts.file, opts.disasm));
    else io.stdout(planToText(plan, unit.unitName, opts.file));
    if (opts.disasm && !opts.markdown) {
      for (const f of plan.filters) {
        if (!f.program) continue;
        io.stdout(`\n# filter ${f.index}: ${f.directive} (${f.abis.join('+')}), ${f.program.instructions.length} instructions\n${disassemble(f.program)}`);
      }
    }
    return plan.refused !== undefined ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    io.stderr(`unit-harden: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
}
