/**
 * Address family names as systemd's af_from_name() knows them (RestrictAddressFamilies=), and
 * af_max(), which sizes the allow-list filter. systemd generates both at build time from the C
 * library's <sys/socket.h> (src/basic/generate-af-list.sh, v245…v261.2).
 */

// Source: glibc 2.36 <sys/socket.h> (Debian 12), through generate-af-list.sh's filter: every
// `#define AF_<name> [AP]F_<name>` except AF_UNSPEC and AF_MAX. Aliases (AF_LOCAL/AF_FILE for
// AF_UNIX, AF_ROUTE for AF_NETLINK) are accepted like the primary name. src/basic/missing_socket.h
// only adds AF_VSOCK (40), which glibc 2.36 already has. glibc 2.36's AF_MAX is 46 (AF_MCTP = 45
// is the newest); an older C library has a smaller AF_MAX, which Target.afMax carries.

/** name → number, in number order. */
export const AF_TABLE: readonly (readonly [string, number])[] = [
  ['AF_FILE', 1],
  ['AF_LOCAL', 1],
  ['AF_UNIX', 1],
  ['AF_INET', 2],
  ['AF_AX25', 3],
  ['AF_IPX', 4],
  ['AF_APPLETALK', 5],
  ['AF_NETROM', 6],
  ['AF_BRIDGE', 7],
  ['AF_ATMPVC', 8],
  ['AF_X25', 9],
  ['AF_INET6', 10],
  ['AF_ROSE', 11],
  ['AF_DECnet', 12],
  ['AF_NETBEUI', 13],
  ['AF_SECURITY', 14],
  ['AF_KEY', 15],
  ['AF_NETLINK', 16],
  ['AF_ROUTE', 16],
  ['AF_PACKET', 17],
  ['AF_ASH', 18],
  ['AF_ECONET', 19],
  ['AF_ATMSVC', 20],
  ['AF_RDS', 21],
  ['AF_SNA', 22],
  ['AF_IRDA', 23],
  ['AF_PPPOX', 24],
  ['AF_WANPIPE', 25],
  ['AF_LLC', 26],
  ['AF_IB', 27],
  ['AF_MPLS', 28],
  ['AF_CAN', 29],
  ['AF_TIPC', 30],
  ['AF_BLUETOOTH', 31],
  ['AF_IUCV', 32],
  ['AF_RXRPC', 33],
  ['AF_ISDN', 34],
  ['AF_PHONET', 35],
  ['AF_IEEE802154', 36],
  ['AF_CAIF', 37],
  ['AF_ALG', 38],
  ['AF_NFC', 39],
  ['AF_VSOCK', 40],
  ['AF_KCM', 41],
  ['AF_QIPCRTR', 42],
  ['AF_SMC', 43],
  ['AF_XDP', 44],
  ['AF_MCTP', 45],
];

/** AF_MAX of glibc 2.36, i.e. af_max() of a systemd built against it (ELEMENTSOF(af_names)). */
export const GLIBC_236_AF_MAX = 46;

const BY_NAME: ReadonlyMap<string, number> = new Map(AF_TABLE);
const PRIMARY: ReadonlyMap<number, string> = (() => {
  const m = new Map<number, string>();
  for (const [name, nr] of AF_TABLE) if (!m.has(nr)) m.set(nr, name);
  m.set(1, 'AF_UNIX');
  m.set(16, 'AF_NETLINK');
  return m;
})();

/**
 * af_from_name(): the family for an exact name (`AF_INET`; lower case and numbers are not
 * accepted), or undefined. Families at or above `afMax` did not exist in the C library the
 * systemd build saw, so its table lacks them.
 */
export function afFromName(name: string, afMax: number = GLIBC_236_AF_MAX): number | undefined {
  const v = BY_NAME.get(name);
  return v !== undefined && v < afMax ? v : undefined;
}

/** The usual name of a family number (AF_UNIX for 1), or `AF_<n>`. */
export function afName(nr: number): string {
  return PRIMARY.get(nr) ?? `AF_${nr}`;
}

/** Every accepted name below `afMax`, sorted. */
export function afNames(afMax: number = GLIBC_236_AF_MAX): readonly string[] {
  return AF_TABLE.filter(([, v]) => v < afMax).map(([n]) => n).sort();
}
