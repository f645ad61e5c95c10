/**
 * errno names as systemd's errno_from_name() knows them on Linux x86-64 and every architecture that
 * uses the kernel's asm-generic numbering (arm, arm64, riscv64, loongarch64, ppc, s390…). systemd
 * builds this list at compile time from <errno.h> (src/basic/generate-errno-list.sh, v245…v261.2).
 */

// Source: glibc 2.36 <errno.h> with linux-libc-dev 6.1 (Debian 12, the build environment of Debian's
// systemd 252.38), run through generate-errno-list.sh's filter: every `#define E<name> <value>`
// except ECANCELLED and EREFUSED (parisc-only aliases that the script drops). EWOULDBLOCK,
// EDEADLOCK and ENOTSUP are aliases (same numbers as EAGAIN, EDEADLK and EOPNOTSUPP); systemd's
// gperf table accepts all of them. Produced by compiling a printf of each name against those headers.
// alpha, mips, parisc and sparc number many of these differently; hosts of those kinds are
// flagged by errnoTableFits().

import type { AbiName } from './abi';

/** ERRNO_MAX (src/basic/errno-list.h): systemd accepts 1…4095 as errno numbers. */
export const ERRNO_MAX = 4095;

/** name → number, in number order (aliases after their primary name). */
export const ERRNO_TABLE: readonly (readonly [string, number])[] = [
  ['EPERM', 1],
  ['ENOENT', 2],
  ['ESRCH', 3],
  ['EINTR', 4],
  ['EIO', 5],
  ['ENXIO', 6],
  ['E2BIG', 7],
  ['ENOEXEC', 8],
  ['EBADF', 9],
  ['ECHILD', 10],
  ['EAGAIN', 11],
  ['EWOULDBLOCK', 11],
  ['ENOMEM', 12],
  ['EACCES', 13],
  ['EFAULT', 14],
  ['ENOTBLK', 15],
  ['EBUSY', 16],
  ['EEXIST', 17],
  ['EXDEV', 18],
  ['ENODEV', 19],
  ['ENOTDIR', 20],
  ['EISDIR', 21],
  ['EINVAL', 22],
  ['ENFILE', 23],
  ['EMFILE', 24],
  ['ENOTTY', 25],
  ['ETXTBSY', 26],
  ['EFBIG', 27],
  ['ENOSPC', 28],
  ['ESPIPE', 29],
  ['EROFS', 30],
  ['EMLINK', 31],
  ['EPIPE', 32],
  ['EDOM', 33],
  ['ERANGE', 34],
  ['EDEADLK', 35],
  ['EDEADLOCK', 35],
  ['ENAMETOOLONG', 36],
  ['ENOLCK', 37],
  ['ENOSYS', 38],
  ['ENOTEMPTY', 39],
  ['ELOOP', 40],
  ['ENOMSG', 42],
  ['EIDRM', 43],
  ['ECHRNG', 44],
  ['EL2NSYNC', 45],
  ['EL3HLT', 46],
  ['EL3RST', 47],
  ['ELNRNG', 48],
  ['EUNATCH', 49],
  ['ENOCSI', 50],
  ['EL2HLT', 51],
  ['EBADE', 52],
  ['EBADR', 53],
  ['EXFULL', 54],
  ['ENOANO', 55],
  ['EBADRQC', 56],
  ['EBADSLT', 57],
  ['EBFONT', 59],
  ['ENOSTR', 60],
  ['ENODATA', 61],
  ['ETIME', 62],
  ['ENOSR', 63],
  ['ENONET', 64],
  ['ENOPKG', 65],
  ['EREMOTE', 66],
  ['ENOLINK', 67],
  ['EADV', 68],
  ['ESRMNT', 69],
  ['ECOMM', 70],
  ['EPROTO', 71],
  ['EMULTIHOP', 72],
  ['EDOTDOT', 73],
  ['EBADMSG', 74],
  ['EOVERFLOW', 75],
  ['ENOTUNIQ', 76],
  ['EBADFD', 77],
  ['EREMCHG', 78],
  ['ELIBACC', 79],
  ['ELIBBAD', 80],
  ['ELIBSCN', 81],
  ['ELIBMAX', 82],
  ['ELIBEXEC', 83],
  ['EILSEQ', 84],
  ['ERESTART', 85],
  ['ESTRPIPE', 86],
  ['EUSERS', 87],
  ['ENOTSOCK', 88],
  ['EDESTADDRREQ', 89],
  ['EMSGSIZE', 90],
  ['EPROTOTYPE', 91],
  ['ENOPROTOOPT', 92],
  ['EPROTONOSUPPORT', 93],
  ['ESOCKTNOSUPPORT', 94],
  ['ENOTSUP', 95],
  ['EOPNOTSUPP', 95],
  ['EPFNOSUPPORT', 96],
  ['EAFNOSUPPORT', 97],
  ['EADDRINUSE', 98],
  ['EADDRNOTAVAIL', 99],
  ['ENETDOWN', 100],
  ['ENETUNREACH', 101],
  ['ENETRESET', 102],
  ['ECONNABORTED', 103],
  ['ECONNRESET', 104],
  ['ENOBUFS', 105],
  ['EISCONN', 106],
  ['ENOTCONN', 107],
  ['ESHUTDOWN', 108],
  ['ETOOMANYREFS', 109],
  ['ETIMEDOUT', 110],
  ['ECONNREFUSED', 111],
  ['EHOSTDOWN', 112],
  ['EHOSTUNREACH', 113],
  ['EALREADY', 114],
  ['EINPROGRESS', 115],
  ['ESTALE', 116],
  ['EUCLEAN', 117],
  ['ENOTNAM', 118],
  ['ENAVAIL', 119],
  ['EISNAM', 120],
  ['EREMOTEIO', 121],
  ['EDQUOT', 122],
  ['ENOMEDIUM', 123],
  ['EMEDIUMTYPE', 124],
  ['ECANCELED', 125],
  ['ENOKEY', 126],
  ['EKEYEXPIRED', 127],
  ['EKEYREVOKED', 128],
  ['EKEYREJECTED', 129],
  ['EOWNERDEAD', 130],
  ['ENOTRECOVERABLE', 131],
  ['ERFKILL', 132],
  ['EHWPOISON', 133],
];

const BY_NAME: ReadonlyMap<string, number> = new Map(ERRNO_TABLE);
const PRIMARY: ReadonlyMap<number, string> = (() => {
  const m = new Map<number, string>();
  // The first name for a number is the one the kernel headers define first (EAGAIN before EWOULDBLOCK).
  for (const [name, nr] of ERRNO_TABLE) if (!m.has(nr)) m.set(nr, name);
  m.set(95, 'EOPNOTSUPP');
  return m;
})();

/** errno_from_name(): the number for an exact (case-sensitive) name, or undefined. */
export function errnoFromName(name: string): number | undefined {
  return BY_NAME.get(name);
}

/** The usual name for an errno number (EAGAIN for 11, EOPNOTSUPP for 95), or undefined. */
export function errnoName(nr: number): string | undefined {
  return PRIMARY.get(nr);
}

/** errno_is_valid() (src/basic/errno-util.h): 1…ERRNO_MAX. */
export function errnoIsValid(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= ERRNO_MAX;
}

/** Whether the table above holds the numbers a systemd built for `host` uses (not on mips/parisc, whose errno.h differs). */
export function errnoTableFits(host: AbiName): boolean {
  return !(host.startsWith('mips') || host.startsWith('parisc'));
}

/** Every known name, sorted, for completion and did-you-mean. */
export function errnoNames(): readonly string[] {
  return [...BY_NAME.keys()].sort();
}
