/**
 * What a filter plan is computed for: a systemd release (down to the stable patch level, which
 * matters for 248.x/249.x and a few backports), the ABI systemd was built for, the kernel it runs
 * on and the libseccomp it links. Parsing never throws; problems come back as diagnostics.
 */

import { ABIS, HOST_BUILDS, localArchs, type AbiName } from './abi';
import { GLIBC_236_AF_MAX } from './addressFamilies';
import { errnoTableFits } from './errno';
import { isLibseccompVersion, libseccompSupportsAbi, LIBSECCOMP_VERSIONS, type LibseccompVersion } from './syscalls';

/** Oldest and newest systemd majors the planner follows (tags v245…v261.2 read; 262 from measurements). */
export const MIN_SYSTEMD = 245;
export const MAX_SYSTEMD = 262;

export interface Target {
  /** The release as requested and normalised: `252.38`, `257`, `248.3`. */
  readonly systemd: string;
  readonly major: number;
  /** Stable patch level (0 for a `.0` release / plain major). */
  readonly patch: number;
  /** The ABI systemd was built for (the last entry of seccomp_local_archs[]), systemd spelling. */
  readonly host: AbiName;
  /** Kernel `M.m` of the machine the service runs on. */
  readonly kernel: string;
  readonly kernelMajor: number;
  readonly kernelMinor: number;
  /** The syscall table/generator used for libseccomp (the nearest tabulated release). */
  readonly libseccomp: LibseccompVersion;
  /**
   * af_max() of the build: AF_MAX of the C library systemd was compiled against (46 for glibc ≥ 2.36).
   * It sets how many `socket(a0 == af)` rules an allow-list RestrictAddressFamilies= gets.
   */
  readonly afMax: number;
  /** The preset the values came from, if any. */
  readonly preset?: string;
  /** Approximations the target carries (nearest table used, unverified preset facts…). */
  readonly notes: readonly string[];
}

export interface TargetInput {
  /** `252`, `252.38`, `v252.38`, `252.38-1~deb12u1`. */
  readonly systemd?: string;
  /** systemd ABI name or an alias (`x86_64`, `amd64`, `aarch64`, `i686`, `ppc64le`…). */
  readonly arch?: string;
  /** `6.1`, `6.12.9-amd64`… */
  readonly kernel?: string;
  /** `2.5.4`, `2.5.4-1+deb12u1`, `2.6.0`, `2.6.1` or another 2.x.y (mapped to the nearest table). */
  readonly libseccomp?: string;
  /** A key of {@link PRESETS}. */
  readonly preset?: string;
  /** Override of af_max() (rarely needed). */
  readonly afMax?: number;
}

export interface TargetDiagnostic {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

export interface TargetResult {
  /** undefined when an error makes any plan meaningless (unsupported version, unknown ABI…). */
  readonly target: Target | undefined;
  readonly diagnostics: readonly TargetDiagnostic[];
}

// ---------------------------------------------------------------------------------------------
// Distribution presets. Each fact names where it comes from; "here" means this project's own
// machines: the host (Debian 12) and the debootstrap roots of test/systemd/ (dpkg status files).

export interface Preset {
  readonly description: string;
  readonly systemd: string;
  readonly libseccomp: string;
  readonly kernel: string;
  readonly host: AbiName;
  readonly afMax: number;
  /** Facts that are not verified on a real system of that kind. */
  readonly unverified?: string;
}

export const PRESETS: Readonly<Record<string, Preset>> = {
  // systemd 252.39-1~deb12u2 and libseccomp2 2.5.4-1+deb12u1: installed on the host here (dpkg -l;
  // the reference's measurements were on 252.38 - v252.38..v252.39 does not touch seccomp-util.c,
  // execute.c or load-fragment.c);
  // kernel 6.1: bookworm's kernel series (linux-libc-dev 6.1.x here); glibc 2.36 -> AF_MAX 46
  // (/usr/include/x86_64-linux-gnu/bits/socket.h here).
  'debian-12': {
    description: 'Debian 12 (bookworm)',
    systemd: '252.39',
    libseccomp: '2.5.4-1+deb12u1',
    kernel: '6.1',
    host: 'x86-64',
    afMax: GLIBC_236_AF_MAX,
  },
  // The debian-254 harness root: systemd 254.26-1~bpo12+1 from bookworm-backports with bookworm's
  // libseccomp2 2.5.4-1+deb12u1 and libc6 2.36 (its dpkg status). Kernel as Debian 12.
  'debian-12-backports': {
    description: 'Debian 12 with systemd from bookworm-backports',
    systemd: '254.26',
    libseccomp: '2.5.4-1+deb12u1',
    kernel: '6.1',
    host: 'x86-64',
    afMax: GLIBC_236_AF_MAX,
  },
  // The debian-257 harness root: systemd 257.13-1~deb13u1, libseccomp2 2.6.0-2, libc6 2.41 (its
  // dpkg status); measured RestrictAddressFamilies= sizes equal 252's, so AF_MAX is still 46.
  // Kernel 6.12: trixie's kernel series.
  'debian-13': {
    description: 'Debian 13 (trixie)',
    systemd: '257.13',
    libseccomp: '2.6.0',
    kernel: '6.12',
    host: 'x86-64',
    afMax: GLIBC_236_AF_MAX,
  },
  // focal: systemd 245.4-4ubuntu3.x (Ubuntu package pages, e.g. 245.4-4ubuntu3.24 for focal-updates);
  // libseccomp 2.5.x in focal-updates -> nearest table here is upstream 2.5.4; GA kernel 5.4;
  // glibc 2.31, whose AF_MAX (45, AF_XDP newest) is assumed, not checked.
  'ubuntu-20.04': {
    description: 'Ubuntu 20.04 LTS (focal)',
    systemd: '245.4',
    libseccomp: '2.5.4',
    kernel: '5.4',
    host: 'x86-64',
    afMax: 45,
    unverified: 'libseccomp 2.5.x is modelled with the upstream 2.5.4 table; AF_MAX 45 of glibc 2.31 is assumed',
  },
  // jammy: systemd 249.11 (Ubuntu 22.04 adopted v249, Ubuntu developer announcement Nov 2021);
  // libseccomp 2.5.3 -> nearest table 2.5.4; GA kernel 5.15; glibc 2.35 (AF_MAX 46 assumed).
  'ubuntu-22.04': {
    description: 'Ubuntu 22.04 LTS (jammy)',
    systemd: '249.11',
    libseccomp: '2.5.4',
    kernel: '5.15',
    host: 'x86-64',
    afMax: GLIBC_236_AF_MAX,
    unverified: 'libseccomp 2.5.3 is modelled with the 2.5.4 table; AF_MAX 46 of glibc 2.35 is assumed',
  },
  // noble: systemd 255.4 (Launchpad: 255-1ubuntu1 merged for noble, released as 255.4);
  // libseccomp 2.5.5 -> nearest table 2.5.4-1+deb12u1 (2.5.4 plus the Linux 6.7 syscalls, as 2.5.5);
  // GA kernel 6.8 (>= 6.3: MemoryDenyWriteExecute= uses PR_SET_MDWE).
  'ubuntu-24.04': {
    description: 'Ubuntu 24.04 LTS (noble)',
    systemd: '255.4',
    libseccomp: '2.5.4-1+deb12u1',
    kernel: '6.8',
    host: 'x86-64',
    afMax: GLIBC_236_AF_MAX,
    unverified: 'libseccomp 2.5.5 is modelled with the 2.5.4-1+deb12u1 table (same syscall additions)',
  },
  // Fedora 43 (October 2025): systemd 258, libseccomp 2.6.0, kernel 6.17. Not checked here.
  fedora: {
    description: 'Fedora 43',
    systemd: '258',
    libseccomp: '2.6.0',
    kernel: '6.17',
    host: 'x86-64',
    afMax: GLIBC_236_AF_MAX,
    unverified: 'Fedora 43 package versions are not verified here; RPM patch levels are not modelled',
  },
  // RHEL 9.2+: systemd 252 with Red Hat backports (252-NN.el9), libseccomp 2.5.2 -> table 2.5.4,
  // kernel 5.14. The el9 backports are not modelled: 252.0 code paths are used.
  'rhel-9': {
    description: 'Red Hat Enterprise Linux 9 (9.2 and later)',
    systemd: '252',
    libseccomp: '2.5.4',
    kernel: '5.14',
    host: 'x86-64',
    afMax: 45,
    unverified: 'RHEL backports on top of 252 are not modelled; libseccomp 2.5.2 uses the 2.5.4 table; AF_MAX 45 of glibc 2.34 is assumed',
  },
};

// ---------------------------------------------------------------------------------------------
// Architecture names.

/**
 * Aliases for ABI names: `uname -m` spellings, Debian architecture names and libseccomp's names,
 * mapped to systemd's spelling (seccomp_arch_to_string()).
 */
const ARCH_ALIASES: Readonly<Record<string, AbiName>> = {
  x86_64: 'x86-64',
  amd64: 'x86-64',
  x64: 'x86-64',
  i386: 'x86',
  i486: 'x86',
  i586: 'x86',
  i686: 'x86',
  ia32: 'x86',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  armv7l: 'arm',
  armv7: 'arm',
  armv6l: 'arm',
  ppc64le: 'ppc64-le',
  ppc64el: 'ppc64-le',
  powerpc64le: 'ppc64-le',
  powerpc64: 'ppc64',
  powerpc: 'ppc',
  riscv: 'riscv64',
  loong64: 'loongarch64',
  mipsel: 'mips-le',
  mips64el: 'mips64-le',
  mipsel64: 'mips64-le',
  mips64n32: 'mips64-n32',
  mipsel64n32: 'mips64-le-n32',
  hppa: 'parisc',
  hppa64: 'parisc64',
};

/** systemd's ABI name for `s` (exact systemd spelling first, then the aliases, case-insensitively). */
export function parseArch(s: string): AbiName | undefined {
  const t = s.trim();
  if (Object.prototype.hasOwnProperty.call(ABIS, t)) return t as AbiName;
  const lower = t.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(ABIS, lower)) return lower as AbiName;
  return Object.prototype.hasOwnProperty.call(ARCH_ALIASES, lower) ? ARCH_ALIASES[lower] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Versions.

/** `252`, `252.38`, `v252.38`, `252.38-1~deb12u1` → {major, patch}; undefined if not a version. */
export function parseSystemdVersion(s: string): { major: number; patch: number } | undefined {
  const m = /^v?(\d{1,4})(?:\.(\d{1,4}))?(?:[-~+][0-9A-Za-z.~+:-]*)?$/.exec(s.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), patch: m[2] !== undefined ? Number(m[2]) : 0 };
}

/** `6.1`, `6.12.9-amd64`, `5.4.0-150-generic` → {major, minor}. */
export function parseKernel(s: string): { major: number; minor: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,4})(?:[.\-+~_].*)?$/.exec(s.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/**
 * The libseccomp table for a requested version: an exact table when there is one, else the
 * nearest one (2.5.x below 2.5.4 → 2.5.4; 2.5.5/2.5.6 → 2.5.4-1+deb12u1, which carries the same
 * Linux 6.7 syscall additions; 2.6.x → 2.6.0/2.6.1).
 */
export function nearestLibseccomp(s: string): { version: LibseccompVersion; exact: boolean } | undefined {
  const t = s.trim();
  if (isLibseccompVersion(t)) return { version: t, exact: true };
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(t);
  if (!m) return undefined;
  const [maj, min, pat] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (maj !== 2) return maj > 2 ? { version: '2.6.1', exact: false } : undefined;
  if (min < 5) return undefined;
  if (min === 5) return { version: pat <= 4 ? '2.5.4' : '2.5.4-1+deb12u1', exact: pat === 4 && t === '2.5.4' };
  if (min === 6) return { version: pat === 0 ? '2.6.0' : '2.6.1', exact: false };
  return { version: '2.6.1', exact: false };
}

/** The libseccomp assumed when none is given: what the Debian builds of that major link (see PRESETS). */
function defaultLibseccomp(major: number): LibseccompVersion {
  if (major >= 262) return '2.6.1';
  if (major >= 257) return '2.6.0';
  return '2.5.4-1+deb12u1';
}

/** The kernel assumed when none is given. */
export const DEFAULT_KERNEL = '6.1';

/**
 * Resolves a target. Precedence: explicit fields, then the preset, then defaults (x86-64,
 * kernel 6.1, the Debian libseccomp of that major). Never throws.
 */
export function resolveTarget(input: TargetInput = {}): TargetResult {
  const diagnostics: TargetDiagnostic[] = [];
  const err = (code: string, message: string): void => void diagnostics.push({ code, severity: 'error', message });
  const notes: string[] = [];

  let preset: Preset | undefined;
  if (input.preset !== undefined) {
    preset = Object.prototype.hasOwnProperty.call(PRESETS, input.preset) ? PRESETS[input.preset] : undefined;
    if (!preset) err('target-unknown-preset', `unknown preset '${input.preset}' (known: ${Object.keys(PRESETS).join(', ')})`);
    else if (preset.unverified) notes.push(`preset ${input.preset}: ${preset.unverified}`);
  }

  const versionText = input.systemd ?? preset?.systemd ?? PRESETS['debian-12']!.systemd;
  const version = parseSystemdVersion(versionText);
  if (!version) err('target-bad-version', `not a systemd version: '${versionText}' (use e.g. 252, 252.38 or 257)`);
  else if (version.major < MIN_SYSTEMD || version.major > MAX_SYSTEMD) {
    err('target-unsupported-version', `systemd ${version.major} is outside the supported range ${MIN_SYSTEMD}…${MAX_SYSTEMD}`);
  } else if (version.major === 262) {
    notes.push('systemd 262: no source tag was read; v261.2 code paths plus the differences measured on 262.1');
  }

  const archText = input.arch ?? preset?.host ?? 'x86-64';
  const host = parseArch(archText);
  if (!host) err('target-unknown-arch', `unknown architecture '${archText}' (use a systemd ABI name such as x86-64, x86, x32, arm64, arm, ppc64-le, s390x, riscv64)`);
  else if (!HOST_BUILDS[host]) err('target-unknown-arch', `no systemd build is modelled for ${host}`);

  const kernelText = input.kernel ?? preset?.kernel ?? DEFAULT_KERNEL;
  const kernel = parseKernel(kernelText);
  if (!kernel) err('target-bad-kernel', `not a kernel version: '${kernelText}' (use e.g. 6.1)`);
  else if (kernel.major < 3 || (kernel.major === 3 && kernel.minor < 5)) {
    err('target-old-kernel', `kernel ${kernel.major}.${kernel.minor} has no seccomp filter mode (Linux 3.5); systemd would skip every filter`);
  }

  let lib: LibseccompVersion | undefined;
  const libText = input.libseccomp ?? preset?.libseccomp;
  if (libText !== undefined) {
    const n = nearestLibseccomp(libText);
    if (!n) err('target-bad-libseccomp', `libseccomp '${libText}' is not modelled (tables: ${LIBSECCOMP_VERSIONS.join(', ')}; 2.5.0 or later)`);
    else {
      lib = n.version;
      if (!n.exact && !preset) notes.push(`libseccomp ${libText} is modelled with the ${n.version} syscall table (nearest available)`);
    }
  } else if (version) {
    lib = defaultLibseccomp(version.major);
  }

  if (host && lib && version && version.major >= MIN_SYSTEMD && version.major <= MAX_SYSTEMD) {
    const unsupported = localArchs(host, version.major).filter((a) => !libseccompSupportsAbi(a, lib!));
    if (unsupported.length > 0) err('target-libseccomp-abi', `libseccomp ${lib} cannot build filters for ${unsupported.join(', ')}, which systemd ${version.major} filters on ${host}`);
    if (localArchs(host, version.major).length === 0) {
      diagnostics.push({ code: 'target-no-local-archs', severity: 'warning', message: `systemd ${version.major} has no seccomp_local_archs[] entry for ${host}: it installs no per-ABI filters there` });
    }
  }

  if (host && !errnoTableFits(host)) notes.push(`errno names are resolved with the asm-generic numbering; a ${host} build numbers some of them differently`);
  const afMax = input.afMax ?? preset?.afMax ?? GLIBC_236_AF_MAX;
  if (!Number.isInteger(afMax) || afMax < 2 || afMax > 1024) err('target-bad-afmax', `AF_MAX ${afMax} is not plausible`);

  if (diagnostics.some((d) => d.severity === 'error') || !version || !host || !kernel || !lib) return { target: undefined, diagnostics };
  const target: Target = {
    systemd: version.patch ? `${version.major}.${version.patch}` : `${version.major}`,
    major: version.major,
    patch: version.patch,
    host,
    kernel: `${kernel.major}.${kernel.minor}`,
    kernelMajor: kernel.major,
    kernelMinor: kernel.minor,
    libseccomp: lib,
    afMax,
    ...(input.preset !== undefined ? { preset: input.preset } : {}),
    notes,
  };
  for (const n of notes) diagnostics.push({ code: 'target-approximation', severity: 'info', message: n });
  return { target, diagnostics };
}

// ---------------------------------------------------------------------------------------------
// Helpers for version-dependent code paths.

/** major.patch ≥ the given release. */
export function atLeast(t: Pick<Target, 'major' | 'patch'>, major: number, patch = 0): boolean {
  return t.major > major || (t.major === major && t.patch >= patch);
}

/**
 * A change that reached stable branches: present from `mainline` on, and on each listed older
 * major from the given patch release on (e.g. fchmodat2 in RestrictSUIDSGID=: 255, 254.10,
 * 253.17, 252.23).
 */
export function hasBackport(t: Pick<Target, 'major' | 'patch'>, mainline: number, backports: Readonly<Record<number, number>>): boolean {
  if (t.major >= mainline) return true;
  const p = backports[t.major];
  return p !== undefined && t.patch >= p;
}

export function kernelAtLeast(t: Pick<Target, 'kernelMajor' | 'kernelMinor'>, major: number, minor: number): boolean {
  return t.kernelMajor > major || (t.kernelMajor === major && t.kernelMinor >= minor);
}
