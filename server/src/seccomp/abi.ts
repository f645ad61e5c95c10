/**
 * Hand-written facts about the seccomp ABIs systemd knows: their names (systemd's
 * seccomp_arch_to_string()/seccomp_arch_from_string() in src/shared/seccomp-util.c), libseccomp's
 * arch name and tokens (src/arch-*.c), and which ABIs a build of systemd filters (seccomp_local_archs[]).
 */

/**
 * systemd's spelling of each ABI, in the order of seccomp_arch_to_string() (v261.2), which
 * follows <seccomp.h>. Used by SystemCallArchitectures= and in systemd's log messages.
 */
export const ABI_NAMES = [
  'x86',
  'x86-64',
  'x32',
  'arm',
  'arm64',
  'loongarch64',
  'mips',
  'mips64',
  'mips64-n32',
  'mips-le',
  'mips64-le',
  'mips64-le-n32',
  'parisc',
  'parisc64',
  'ppc',
  'ppc64',
  'ppc64-le',
  'riscv64',
  's390',
  's390x',
] as const;

export type AbiName = (typeof ABI_NAMES)[number];

/** Column of libseccomp's src/syscalls.csv that holds an ABI's numbers (shared by endian variants). */
export type SyscallColumn =
  | 'x86'
  | 'x86_64'
  | 'x32'
  | 'arm'
  | 'aarch64'
  | 'loongarch64'
  | 'mips'
  | 'mips64'
  | 'mips64n32'
  | 'parisc'
  | 'parisc64'
  | 'ppc'
  | 'ppc64'
  | 'riscv64'
  | 's390'
  | 's390x';

export interface AbiInfo {
  readonly name: AbiName;
  /** libseccomp's arch name (arch.c arch_def_lookup_name(); `scmp_sys_resolver -a NAME`). */
  readonly libseccompName: string;
  readonly column: SyscallColumn;
  /** SCMP_ARCH_* value libseccomp's API uses (equal to the AUDIT_ARCH token except for x32). */
  readonly scmpArch: number;
  /** AUDIT_ARCH_* value the filter compares seccomp_data.arch with (arch_def.token_bpf). */
  readonly auditArch: number;
  /** Argument width libseccomp compares (arch_def.size); x32 and mips n32 are 32-bit. */
  readonly bits: 32 | 64;
  readonly endian: 'little' | 'big';
  /** First systemd major whose seccomp_arch_from_string() accepts the name. */
  readonly systemdSince: number;
  /** First libseccomp release with the arch (systemd guards parisc/riscv64/loongarch64 with #ifdef SCMP_ARCH_*). */
  readonly libseccompSince: string;
  /**
   * Whether libseccomp multiplexes socket and SysV IPC calls on this ABI (the arch uses
   * abi_syscall_resolve_name_munge in src/arch-*.c): rules for those calls also go to
   * socketcall()/ipc() with a0 == call number, and the resolver reports a pseudo number.
   */
  readonly multiplexed: boolean;
}

// AUDIT_ARCH building blocks (linux/audit.h, linux/elf-em.h)
const LE = 0x40000000;
const B64 = 0x80000000;
const N32 = 0x20000000; // __AUDIT_ARCH_CONVENTION_MIPS64_N32
const EM = {
  I386: 3,
  MIPS: 8,
  PARISC: 15,
  PPC: 20,
  PPC64: 21,
  S390: 22,
  ARM: 40,
  X86_64: 62,
  AARCH64: 183,
  RISCV: 243,
  LOONGARCH: 258,
} as const;
const u32 = (n: number): number => n >>> 0;

function abi(
  name: AbiName,
  libseccompName: string,
  column: SyscallColumn,
  token: number,
  bits: 32 | 64,
  systemdSince: number,
  libseccompSince: string,
  multiplexed = false,
  auditArch = token,
): AbiInfo {
  return {
    name,
    libseccompName,
    column,
    scmpArch: u32(token),
    auditArch: u32(auditArch),
    bits,
    endian: token & LE ? 'little' : 'big',
    systemdSince,
    libseccompSince,
    multiplexed,
  };
}

/**
 * Per-ABI facts. systemdSince: names present in v245's seccomp_arch_from_string() are marked 245
 * (the oldest version we model); riscv64 was added in v247, parisc/parisc64 in v252, loongarch64 in v255.
 * x32's SCMP_ARCH_X32 token is EM_X86_64|LE, but its BPF token is AUDIT_ARCH_X86_64: the kernel
 * reports x32 calls as x86-64 with X32_SYSCALL_BIT set in the number (arch-x32.c).
 */
export const ABIS: Readonly<Record<AbiName, AbiInfo>> = {
  x86: abi('x86', 'x86', 'x86', EM.I386 | LE, 32, 245, '0.1.0', true),
  'x86-64': abi('x86-64', 'x86_64', 'x86_64', EM.X86_64 | B64 | LE, 64, 245, '0.1.0'),
  x32: abi('x32', 'x32', 'x32', EM.X86_64 | LE, 32, 245, '2.1.0', false, EM.X86_64 | B64 | LE),
  arm: abi('arm', 'arm', 'arm', EM.ARM | LE, 32, 245, '2.1.0'),
  arm64: abi('arm64', 'aarch64', 'aarch64', EM.AARCH64 | B64 | LE, 64, 245, '2.2.0'),
  loongarch64: abi('loongarch64', 'loongarch64', 'loongarch64', EM.LOONGARCH | B64 | LE, 64, 255, '2.6.0'),
  mips: abi('mips', 'mips', 'mips', EM.MIPS, 32, 245, '2.2.0', true),
  mips64: abi('mips64', 'mips64', 'mips64', EM.MIPS | B64, 64, 245, '2.2.0'),
  'mips64-n32': abi('mips64-n32', 'mips64n32', 'mips64n32', EM.MIPS | B64 | N32, 32, 245, '2.2.0'),
  'mips-le': abi('mips-le', 'mipsel', 'mips', EM.MIPS | LE, 32, 245, '2.2.0', true),
  'mips64-le': abi('mips64-le', 'mipsel64', 'mips64', EM.MIPS | B64 | LE, 64, 245, '2.2.0'),
  'mips64-le-n32': abi('mips64-le-n32', 'mipsel64n32', 'mips64n32', EM.MIPS | B64 | LE | N32, 32, 245, '2.2.0'),
  parisc: abi('parisc', 'parisc', 'parisc', EM.PARISC, 32, 252, '2.4.0'),
  parisc64: abi('parisc64', 'parisc64', 'parisc64', EM.PARISC | B64, 64, 252, '2.4.0'),
  ppc: abi('ppc', 'ppc', 'ppc', EM.PPC, 32, 245, '2.3.0', true),
  ppc64: abi('ppc64', 'ppc64', 'ppc64', EM.PPC64 | B64, 64, 245, '2.3.0', true),
  'ppc64-le': abi('ppc64-le', 'ppc64le', 'ppc64', EM.PPC64 | B64 | LE, 64, 245, '2.3.0', true),
  riscv64: abi('riscv64', 'riscv64', 'riscv64', EM.RISCV | B64 | LE, 64, 247, '2.5.0'),
  s390: abi('s390', 's390', 's390', EM.S390, 32, 245, '2.3.0', true),
  s390x: abi('s390x', 's390x', 's390x', EM.S390 | B64, 64, 245, '2.3.0', true),
};

/** __X32_SYSCALL_BIT: set in every x32 syscall number (arch-x32.h X32_SYSCALL_BIT). */
export const X32_SYSCALL_BIT = 0x40000000;

export function isAbiName(s: string): s is AbiName {
  return (ABI_NAMES as readonly string[]).includes(s);
}

/** systemd's name for an ABI from libseccomp's arch name (e.g. 'x86_64' → 'x86-64'), if any. */
export function abiFromLibseccompName(libName: string): AbiName | undefined {
  return ABI_NAMES.find((n) => ABIS[n].libseccompName === libName);
}

/**
 * A build of systemd is identified by its native ABI (the last entry of seccomp_local_archs[]).
 * `localArchs` lists seccomp_local_archs[] in order, native last; `since` is the first systemd
 * major with an entry for that build (earlier builds have an empty list and install no filters).
 * `unameMachine` is a typical `uname -m` of such a build host; generate-syscall-list.py
 * (v247…v252.22, v253…v253.16, v254…v254.9, v255…v255.3) tests it when filtering @known.
 */
export interface HostBuild {
  readonly native: AbiName;
  readonly localArchs: readonly AbiName[];
  readonly since: number;
  readonly unameMachine: string;
}

/** seccomp_local_archs[] per build (src/shared/seccomp-util.c; unchanged in content v245…v261.2 except additions). */
export const HOST_BUILDS: Readonly<Partial<Record<AbiName, HostBuild>>> = {
  'x86-64': { native: 'x86-64', localArchs: ['x86', 'x32', 'x86-64'], since: 245, unameMachine: 'x86_64' },
  x32: { native: 'x32', localArchs: ['x86', 'x86-64', 'x32'], since: 245, unameMachine: 'x86_64' },
  x86: { native: 'x86', localArchs: ['x86'], since: 245, unameMachine: 'i686' },
  arm64: { native: 'arm64', localArchs: ['arm', 'arm64'], since: 245, unameMachine: 'aarch64' },
  arm: { native: 'arm', localArchs: ['arm'], since: 245, unameMachine: 'armv7l' },
  loongarch64: { native: 'loongarch64', localArchs: ['loongarch64'], since: 255, unameMachine: 'loongarch64' },
  mips: { native: 'mips', localArchs: ['mips-le', 'mips'], since: 245, unameMachine: 'mips' },
  'mips-le': { native: 'mips-le', localArchs: ['mips', 'mips-le'], since: 245, unameMachine: 'mips' },
  mips64: {
    native: 'mips64',
    localArchs: ['mips-le', 'mips', 'mips64-le-n32', 'mips64-n32', 'mips64-le', 'mips64'],
    since: 245,
    unameMachine: 'mips64',
  },
  'mips64-le': {
    native: 'mips64-le',
    localArchs: ['mips', 'mips-le', 'mips64-n32', 'mips64-le-n32', 'mips64', 'mips64-le'],
    since: 245,
    unameMachine: 'mips64',
  },
  'mips64-n32': {
    native: 'mips64-n32',
    localArchs: ['mips-le', 'mips', 'mips64-le', 'mips64', 'mips64-le-n32', 'mips64-n32'],
    since: 245,
    unameMachine: 'mips64',
  },
  'mips64-le-n32': {
    native: 'mips64-le-n32',
    localArchs: ['mips', 'mips-le', 'mips64', 'mips64-le', 'mips64-n32', 'mips64-le-n32'],
    since: 245,
    unameMachine: 'mips64',
  },
  parisc64: { native: 'parisc64', localArchs: ['parisc', 'parisc64'], since: 252, unameMachine: 'parisc64' },
  parisc: { native: 'parisc', localArchs: ['parisc'], since: 252, unameMachine: 'parisc' },
  ppc64: { native: 'ppc64', localArchs: ['ppc', 'ppc64-le', 'ppc64'], since: 245, unameMachine: 'ppc64' },
  'ppc64-le': { native: 'ppc64-le', localArchs: ['ppc', 'ppc64', 'ppc64-le'], since: 245, unameMachine: 'ppc64le' },
  ppc: { native: 'ppc', localArchs: ['ppc'], since: 245, unameMachine: 'ppc' },
  riscv64: { native: 'riscv64', localArchs: ['riscv64'], since: 247, unameMachine: 'riscv64' },
  s390x: { native: 's390x', localArchs: ['s390', 's390x'], since: 245, unameMachine: 's390x' },
  s390: { native: 's390', localArchs: ['s390'], since: 245, unameMachine: 's390' },
};

/** The build this project assumes unless told otherwise. */
export const DEFAULT_HOST: AbiName = 'x86-64';

/**
 * seccomp_local_archs[] of a systemd `major` built for `host` (native last). Empty when that
 * version had no entry for the build (e.g. riscv64 before v247): SECCOMP_FOREACH_LOCAL_ARCH then
 * iterates nothing and no per-ABI filter is installed.
 */
export function localArchs(host: AbiName = DEFAULT_HOST, major = Number.POSITIVE_INFINITY): readonly AbiName[] {
  const b = HOST_BUILDS[host];
  if (!b || major < b.since) return [];
  return b.localArchs;
}
