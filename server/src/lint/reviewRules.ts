/**
 * Informational rules a security reviewer expects: NoNewPrivileges= missing,
 * RestrictAddressFamilies= without AF_UNIX, MemoryDenyWriteExecute= with a JIT runtime,
 * RestrictFileSystems= (BPF-LSM, not seccomp), and a `~` followed by a space. They read the
 * effective values of the target version (seccomp/directiveValues.ts).
 */

import type { SourceRef } from '../seccomp/directiveValues';
import { afFromName } from '../seccomp/addressFamilies';
import type { Assignment } from '../parser/nodes';
import type { Finding, LintContext, Rule } from './linter';
import { HARDENING_DIRECTIVES } from '../model/hardening';

/** Only findings in the edited file can be shown there. */
function inMain(ctx: LintContext, src: SourceRef | undefined): src is SourceRef {
  return src !== undefined && src.file === ctx.unit.main.fileName;
}

function mainAssignments(ctx: LintContext, key: string): Assignment[] {
  return ctx.unit.main.assignments.filter((a) => a.key === key && a.section !== undefined && !a.section.ignored);
}

const noNewPrivileges: Rule = (ctx) => {
  const analysis = ctx.analysis();
  if (!analysis) return [];
  const v = analysis.plan.values;
  // A unit systemd refuses to load has no effective values to judge (its fatal error says why).
  if (analysis.plan.refused || !v.hasExecContext || ctx.unit.unitType !== 'service') return [];
  const nnp = analysis.plan.noNewPrivileges;
  const out: Finding[] = [];
  const explicit = v.noNewPrivileges.sources.at(-1);
  // Only for a unit that is being hardened: a bare unit would get this on every file.
  const hardening = ctx.unit.main.assignments.some((a) => a.section?.name === 'Service' && HARDENING_DIRECTIVES.has(a.key) && a.key !== 'User' && a.key !== 'Group');
  if (!nnp.value && hardening) {
    const service = ctx.unit.main.sections.find((s) => s.name === 'Service' && !s.ignored);
    if (service && !inMain(ctx, explicit)) {
      out.push({
        rule: 'no-new-privileges-missing',
        span: service.headerSpan,
        message: `NoNewPrivileges= is neither set nor implied${nnp.reason ? ` (${nnp.reason})` : ''}: the service can gain privileges through setuid/setgid binaries or file capabilities.`,
      });
    }
  }
  return out;
};

const rafWithoutUnix: Rule = (ctx) => {
  const analysis = ctx.analysis();
  if (!analysis) return [];
  const raf = analysis.plan.values.restrictAddressFamilies;
  const unix = afFromName('AF_UNIX');
  if (!raf.allowList || raf.families === null || unix === undefined || raf.families.has(unix)) {
    // `none` frees the set (families === null) but still blocks every socket() call.
    if (!(raf.allowList && raf.families === null && raf.sources.length > 0)) return [];
  }
  const src = raf.sources.at(-1);
  if (!inMain(ctx, src)) return [];
  return [
    {
      rule: 'address-families-without-unix',
      span: src.valueSpan,
      message: `RestrictAddressFamilies= does not allow AF_UNIX: socket(AF_UNIX, …) fails with EAFNOSUPPORT, which breaks sd_notify() (Type=notify), syslog(3), D-Bus and most local IPC.${analysis.plan.values.serviceType.value === 'notify' ? ' This unit is Type=notify.' : ''}`,
      data: { missing: 'AF_UNIX' },
    },
  ];
};

/** Runtimes that generate machine code at run time and need writable+executable memory. */
const JIT_RUNTIMES = /(^|\/)(java|node|nodejs|deno|bun|dotnet|mono|pypy3?|luajit|qemu-system-[\w-]+|qemu-[\w-]+|php-fpm[\d.]*|ruby|julia|erl|beam\.smp|chromium|chrome|firefox|electron|emacs)$/;

const mdweWithJit: Rule = (ctx) => {
  const analysis = ctx.analysis();
  if (!analysis) return [];
  const v = analysis.plan.values;
  if (!v.memoryDenyWriteExecute.value) return [];
  const src = v.memoryDenyWriteExecute.sources.at(-1);
  if (!inMain(ctx, src)) return [];
  const out: Finding[] = [];
  for (const a of mainAssignments(ctx, 'ExecStart')) {
    const first = a.words[0]?.value.replace(/^[-@:+!]+/, '');
    if (first && JIT_RUNTIMES.test(first)) {
      const name = first.slice(first.lastIndexOf('/') + 1);
      out.push({
        rule: 'mdwe-with-jit',
        span: src.keySpan,
        message: `MemoryDenyWriteExecute=yes refuses writable+executable memory, which JIT runtimes such as ${name} need: expect crashes or a slow interpreter-only mode.`,
        data: { runtime: name },
      });
      break;
    }
  }
  return out;
};

const restrictFileSystems: Rule = (ctx) => {
  const out: Finding[] = [];
  for (const a of mainAssignments(ctx, 'RestrictFileSystems')) {
    if (a.value === '') continue;
    out.push({
      rule: 'restrict-filesystems-not-seccomp',
      span: a.keySpan,
      message:
        'RestrictFileSystems= is enforced by a BPF-LSM program, not seccomp: it needs systemd built with +BPF_FRAMEWORK and the kernel booted with the bpf LSM (lsm=…,bpf). Debian 12\'s systemd 252 is built without BPF_FRAMEWORK and ignores it.',
    });
  }
  return out;
};

/** `~ @clock`: systemd strips the `~` and the space; say so, since it reads like a typo. */
const tildeSpace: Rule = (ctx) => {
  const out: Finding[] = [];
  for (const key of ['SystemCallFilter', 'SystemCallLog', 'RestrictAddressFamilies', 'RestrictNamespaces']) {
    for (const a of mainAssignments(ctx, key)) {
      if (!/^~\s/.test(a.value)) continue;
      const w = a.words[0];
      if (!w) continue;
      out.push({
        rule: 'tilde-space',
        span: w.span,
        message: `"~ " with a space: systemd takes the leading ~ as "deny everything listed on this line" and ignores the space, so this is the same as "~${a.value.slice(1).trimStart()}".`,
      });
    }
  }
  return out;
};

export const reviewRules: readonly Rule[] = [noNewPrivileges, rafWithoutUnix, mdweWithJit, restrictFileSystems, tildeSpace];
