/**
 * The extension's settings: one typed schema with defaults. package.json's
 * `contributes.configuration` must describe exactly these keys (a unit test checks it), and the
 * server parses whatever the client sends through `parseSettings`, keeping defaults for anything
 * missing or invalid.
 */

import { RULES, type SeveritySetting } from './lint/rules';

export const CONFIG_SECTION = 'unitHarden';

export interface Settings {
  readonly target: {
    /** Distribution preset the other target settings default to (e.g. "debian-12"). */
    readonly preset: string;
    /** systemd version the unit is checked against, e.g. "252" or "248.3"; empty = the preset's. */
    readonly systemdVersion: string;
    /** Architecture systemd was built for (systemd's ABI name or an alias); empty = the preset's. */
    readonly arch: string;
    /** Kernel version, e.g. "6.1"; empty = the preset's. */
    readonly kernel: string;
  };
  readonly rules: Readonly<Record<string, SeveritySetting>>;
  readonly codeLens: { readonly enable: boolean };
}

type Primitive = 'string' | 'boolean' | 'object';

/** Description of one setting as it appears in package.json. */
export interface SettingSpec {
  readonly key: string;
  readonly type: Primitive;
  readonly default: unknown;
  readonly description: string;
  readonly enum?: readonly string[];
  readonly pattern?: string;
  /** For object settings: the allowed values of each property. */
  readonly valueEnum?: readonly string[];
  /** Read by the client only (the server never sees it). */
  readonly clientOnly?: boolean;
}

export const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['default', 'off', 'hint', 'information', 'warning', 'error'];

export const ARCHES = ['', 'x86-64', 'x86', 'x32', 'arm64', 'arm', 'ppc64-le', 'ppc64', 's390x', 'riscv64', 'loongarch64', 'mips64-le'] as const;

/** Keep in step with PRESETS in seccomp/target.ts (a unit test checks it). */
export const PRESET_NAMES = ['debian-12', 'debian-12-backports', 'debian-13', 'ubuntu-20.04', 'ubuntu-22.04', 'ubuntu-24.04', 'fedora', 'rhel-9'] as const;

export const DEFAULT_SETTINGS: Settings = {
  target: { preset: 'debian-12', systemdVersion: '', arch: '', kernel: '' },
  rules: {},
  codeLens: { enable: true },
};

export const SETTING_SPECS: readonly SettingSpec[] = [
  {
    key: 'target.preset',
    type: 'string',
    default: DEFAULT_SETTINGS.target.preset,
    enum: PRESET_NAMES,
    description: 'Distribution whose systemd, libseccomp, architecture and kernel units are checked against; the settings below override single values.',
  },
  {
    key: 'target.systemdVersion',
    type: 'string',
    default: DEFAULT_SETTINGS.target.systemdVersion,
    pattern: '^([0-9]{3}(\\.[0-9]+)?)?$',
    description: 'systemd version to check units against (e.g. 252.39, 255, 257); empty: the preset\'s. Point releases matter for 248.x and 249.x.',
  },
  {
    key: 'target.arch',
    type: 'string',
    default: DEFAULT_SETTINGS.target.arch,
    enum: ARCHES,
    description: 'Architecture systemd was built for; it decides which ABIs get seccomp filters (x86-64: x86, x32 and x86-64). Empty: the preset\'s.',
  },
  {
    key: 'target.kernel',
    type: 'string',
    default: DEFAULT_SETTINGS.target.kernel,
    pattern: '^([0-9]+\\.[0-9]+.*)?$',
    description: 'Kernel version of the target host (the seccomp action cache needs 5.11, PR_SET_MDWE 6.3). Empty: the preset\'s.',
  },
  {
    key: 'rules',
    type: 'object',
    default: {},
    valueEnum: SEVERITY_SETTINGS,
    description: 'Severity per rule id: "default", "off", "hint", "information", "warning" or "error".',
  },
  { key: 'codeLens.enable', type: 'boolean', default: true, description: 'Show the seccomp filter summary as a code lens above the service section.' },
  {
    key: 'trace.server',
    type: 'string',
    default: 'off',
    enum: ['off', 'messages', 'verbose'],
    clientOnly: true,
    description: 'Traces the communication between VS Code and the language server.',
  },
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses settings from the client; invalid values are reported and replaced by defaults. */
export function parseSettings(raw: unknown, report: (message: string) => void = () => {}): Settings {
  const src = isRecord(raw) ? raw : {};
  const target = isRecord(src['target']) ? src['target'] : {};
  const str = (v: unknown, def: string, key: string, pattern?: RegExp, allowed?: readonly string[]): string => {
    if (v === undefined || v === null) return def;
    if (v === '') return '';
    if (typeof v !== 'string' || (pattern && !pattern.test(v)) || (allowed && !allowed.includes(v))) {
      report(`Ignoring invalid setting ${CONFIG_SECTION}.${key}: ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  };
  const rules: Record<string, SeveritySetting> = {};
  if (isRecord(src['rules'])) {
    const known = new Set<string>(RULES.map((r) => r.id));
    for (const [id, sev] of Object.entries(src['rules'])) {
      if (!known.has(id)) {
        report(`Ignoring unknown rule id in ${CONFIG_SECTION}.rules: ${id}`);
        continue;
      }
      if (typeof sev !== 'string' || !(SEVERITY_SETTINGS as readonly string[]).includes(sev)) {
        report(`Ignoring invalid severity for ${CONFIG_SECTION}.rules.${id}: ${JSON.stringify(sev)}`);
        continue;
      }
      rules[id] = sev as SeveritySetting;
    }
  }
  const codeLens = isRecord(src['codeLens']) ? src['codeLens'] : {};
  return {
    target: {
      preset: str(target['preset'], DEFAULT_SETTINGS.target.preset, 'target.preset', undefined, PRESET_NAMES) || DEFAULT_SETTINGS.target.preset,
      systemdVersion: str(target['systemdVersion'], DEFAULT_SETTINGS.target.systemdVersion, 'target.systemdVersion', /^[0-9]{3}(\.[0-9]+)?$/),
      arch: str(target['arch'], DEFAULT_SETTINGS.target.arch, 'target.arch', undefined, ARCHES),
      kernel: str(target['kernel'], DEFAULT_SETTINGS.target.kernel, 'target.kernel', /^[0-9]+\.[0-9]+/),
    },
    rules,
    codeLens: { enable: typeof codeLens['enable'] === 'boolean' ? codeLens['enable'] : DEFAULT_SETTINGS.codeLens.enable },
  };
}

/** The major systemd version number of a version string ("248.3" → 248); undefined when empty. */
export function majorVersion(v: string): number | undefined {
  const n = parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}
