/**
 * Long-form documentation (Markdown, our own words) for the hardening directives: what each one
 * does, which values it takes, and what systemd really installs for it. The seccomp facts follow
 * src/core/execute.c (≤ v254) / exec-invoke.c (v255+) and src/shared/seccomp-util.c.
 */

import { SECCOMP_DIRECTIVES } from './hardening';

const SECCOMP_NOTE =
  'Filter counts below are for an x86-64 build of systemd, which builds one seccomp filter per ABI it knows ' +
  '(x86, x32 and x86-64) unless `SystemCallArchitectures=` removed some of them first.';

const DOCS: Record<string, string> = {
  SystemCallFilter: `
Restricts which system calls the service may make, with a seccomp filter loaded just before the
command is executed (it is the last filter systemd installs).

**Syntax.** A space-separated list of system call names and \`@groups\` (\`@system-service\`,
\`@privileged\`, \`@mount\`, … — \`systemd-analyze syscall-filter\` lists them). A leading \`~\` on the
line makes it a deny list. Each word may carry \`:errno\` (\`~@mount:EPERM\`) to fail that call with an
error instead of the default action.

**The first non-empty line decides the mode.**
* Without \`~\` the filter is an **allow list**: every system call not listed gets the default action,
  and systemd silently adds \`@default\` (the calls every program needs). Later lines add names; a
  later \`~name\` removes a name again, and \`~name:errno\` keeps it but makes it fail with that errno.
* With \`~\` it is a **deny list**: everything is allowed except the listed calls. A later line
  without \`~\` removes names from the deny list.
* An empty assignment (\`SystemCallFilter=\`) throws away everything configured before it.

**Default action.** A call the filter refuses kills the process (SIGSYS, \`KILL_PROCESS\`), unless
\`SystemCallErrorNumber=\` names an errno, in which case the call fails with it. From systemd 255 an
allow list returns \`ENOSYS\` for system calls systemd does not know at all, so that newer libcs can
fall back gracefully.

**Unknown names** are logged ("Failed to parse system call, ignoring") and dropped; the unit still
starts. Names missing from the installed libseccomp never reach the filter.

**What gets installed.** One filter per ABI still allowed after \`SystemCallArchitectures=\`: three on
an x86-64 host, one with \`SystemCallArchitectures=native\`. Several lines still produce one filter per
ABI. Commands prefixed with \`+\` run without it. If the service runs without \`CAP_SYS_ADMIN\`,
\`NoNewPrivileges=yes\` is implied.

Recommended starting point: \`SystemCallFilter=@system-service\` with
\`SystemCallErrorNumber=EPERM\` and \`SystemCallArchitectures=native\`.`,

  SystemCallArchitectures: `
Lists the ABIs allowed to make system calls, e.g. \`native\`, \`x86\`, \`x86-64\`, \`x32\`, \`arm64\`.
\`native\` means the ABI systemd itself was built for (x86-64 on an x86-64 build). Lines accumulate; an
empty assignment clears the list. Unknown names are logged and skipped.

**What gets installed.** A single filter covering several ABIs: system calls from an ABI not on the
list kill the calling thread (libseccomp's default bad-architecture action). With \`native\` on
x86-64 it also rejects x32 system call numbers. Since systemd 248 no filter is loaded when the list
blocks nothing, and the ABIs it blocks are skipped by the filters installed *after* it
(\`LockPersonality=\`, \`SystemCallLog=\`, \`SystemCallFilter=\`). Filters installed before it
(\`RestrictAddressFamilies=\`, \`MemoryDenyWriteExecute=\`, the \`Protect*\` and \`Restrict*\` ones) are
still built for every ABI.

**Why set it.** Without it, a process can switch to the 32-bit ABI (\`int 0x80\`) and reach system
calls through different numbers; \`RestrictAddressFamilies=\` in particular has no effect on 32-bit
x86 calls. \`SystemCallArchitectures=native\` closes that and makes the later filters smaller.

Caution: systemd 248.0–248.7 and 249.0–249.4 had a bug where \`native\` caused \`LockPersonality=\`,
\`SystemCallLog=\` and \`SystemCallFilter=\` to be skipped altogether (fixed in 248.8, 249.5 and 250).`,

  SystemCallErrorNumber: `
Chooses what happens when \`SystemCallFilter=\` refuses a call: the call fails with this errno (a name
such as \`EPERM\` or a number 1–4095) instead of the process being killed. \`kill\` (systemd 247+) or an
empty value restores the default, killing the process. There is no \`log\` value; use
\`SystemCallLog=\` for that.

**What gets installed.** No filter of its own: it only changes the default action of the
\`SystemCallFilter=\` filters (and is the errno used for \`~name\` entries without an explicit
\`:errno\`). Returning \`EPERM\` is friendlier to programs that probe for optional system calls;
killing makes violations impossible to miss.`,

  SystemCallLog: `
Available since systemd 247. Logs system calls through the kernel audit log (seccomp \`LOG\` action)
without blocking them; useful for building a \`SystemCallFilter=\` list.

Same list syntax and first-line rule as \`SystemCallFilter=\`: without \`~\` the listed calls are
logged and everything else runs silently; with \`~\` everything except the listed calls is logged.
No \`@default\` is added and \`:errno\` suffixes are not accepted. An empty assignment resets it.

**What gets installed.** One filter per ABI left after \`SystemCallArchitectures=\`. It needs a kernel
and libseccomp that support the log action (kernel 4.14+, libseccomp 2.4+).`,

  RestrictAddressFamilies: `
Limits the address families the service may pass to \`socket(2)\`, e.g.
\`RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\`.

* Without \`~\` it is an allow list; with \`~\` a deny list. As with \`SystemCallFilter=\`, the first
  non-empty line picks the mode and later lines of the other kind remove entries.
* \`none\` allows no family at all.
* An empty assignment removes the restriction.
* Refused calls fail with \`EAFNOSUPPORT\`; unknown family names are logged and skipped.

**What gets installed.** A filter that only looks at \`socket()\`'s first argument. Sockets the service
receives ready-made (socket activation, \`socketpair()\`, file descriptor passing) are not affected.
ABIs that create sockets through the multiplexed \`socketcall(2)\` — 32-bit x86 among them — get **no**
filter, because seccomp cannot inspect those arguments. On an x86-64 host that means two filters
(x32 and x86-64) and a gap for 32-bit programs: add \`SystemCallArchitectures=native\` to close it.
(systemd 246 and older also filtered the PowerPC ABIs; 247+ skips them too.)`,

  RestrictNamespaces: `
Controls which kinds of Linux namespaces the service may create or join with \`clone(2)\`,
\`unshare(2)\` and \`setns(2)\`.

* \`yes\`: no namespaces at all. \`no\` (the default): no restriction and **no filter**.
* A list such as \`net ipc\`: only these types are allowed. \`~net ipc\`: all types except these.
* Types: \`cgroup\`, \`ipc\`, \`net\`, \`mnt\`, \`pid\`, \`user\`, \`uts\`, and \`time\` (252+).
* The first list replaces the default; later lines add to or take away from what is allowed. An
  empty assignment resets the setting.

**What gets installed.** One filter per ABI (three on x86-64, built before the architecture filter).
Creating or joining a forbidden type fails with \`EPERM\`. Since systemd 251 \`clone3()\` always fails
with \`ENOSYS\` under this setting, because its flags cannot be inspected, so C libraries fall back to
\`clone()\`.`,

  MemoryDenyWriteExecute: `
Forbids memory that is both writable and executable, and memory that becomes executable later:
mappings created with \`PROT_WRITE|PROT_EXEC\`, \`mprotect()\`/\`pkey_mprotect()\` adding \`PROT_EXEC\`,
and \`shmat()\` with \`SHM_EXEC\` fail with \`EPERM\`. Programs that generate code at run time (JIT
compilers in Java, JavaScript engines, LuaJIT, some regex engines) break under it.

**What gets installed.** Up to systemd 253, and on kernels older than 6.3, a seccomp filter per ABI
(three on x86-64). From 254 on kernels with \`PR_SET_MDWE\` (6.3+) systemd uses that prctl instead and
installs **no seccomp filter**. In the seccomp version the old multiplexed \`mmap\` call of 32-bit x86
(and s390) is refused outright, because its arguments live in memory the filter cannot read.`,

  LockPersonality: `
Locks the execution domain: \`personality(2)\` calls that would switch to anything other than the
current personality (the one from \`Personality=\`, or the native default) fail with \`EPERM\`. This
blocks tricks such as enabling \`READ_IMPLIES_EXEC\`.

**What gets installed.** A small filter per ABI left after \`SystemCallArchitectures=\` (one with
\`native\`, three otherwise on x86-64).`,

  RestrictRealtime: `
Prevents the service from switching to realtime scheduling (\`SCHED_FIFO\`, \`SCHED_RR\`,
\`SCHED_DEADLINE\`), which could starve the rest of the system.

**What gets installed.** A filter per ABI (three on x86-64) that makes \`sched_setscheduler()\` with a
realtime policy fail with \`EPERM\`; unless \`LimitRTPRIO=\` is set, systemd also sets \`RLIMIT_RTPRIO\`
to 0. \`sched_setattr()\` is not part of the seccomp filter.`,

  RestrictSUIDSGID: `
Prevents the service from creating files or directories with the set-user-ID or set-group-ID bit:
\`chmod\`/\`fchmod\`/\`fchmodat\` (and \`fchmodat2\` where known), \`mkdir\`, \`mknod\`, \`creat\` and
\`open\`/\`openat\` with \`O_CREAT\` fail with \`EPERM\` when the mode has those bits. \`openat2()\` fails with
\`ENOSYS\` (246+), because its mode cannot be inspected.

**What gets installed.** A filter per ABI (three on x86-64). \`DynamicUser=yes\` turns it on
implicitly, since files owned by a recycled dynamic UID must not keep special bits.`,

  ProtectKernelLogs: `
Denies access to the kernel log buffer: \`/dev/kmsg\` and \`/proc/kmsg\` become inaccessible,
\`CAP_SYSLOG\` is removed from the bounding set, and the \`syslog(2)\` system call fails with \`EPERM\`
(not to be confused with the C library's \`syslog(3)\`, which still works).

**What gets installed.** One seccomp filter per ABI (three on x86-64) for \`syslog(2)\`, plus the mount
changes, which need a mount namespace.`,

  ProtectKernelTunables: `
Makes kernel tunables read-only for the service: \`/proc/sys\`, \`/sys\`, \`/proc/sysrq-trigger\` and
other \`/proc\` entries are remounted read-only, and \`/proc/kallsyms\` and \`/proc/kcore\` become
inaccessible. Implies \`MountAPIVFS=yes\`.

**What gets installed.** Mostly mounts. The only seccomp part blocks the obsolete \`_sysctl()\` call
with \`EPERM\`, on ABIs that have it: two filters on x86-64 (x86 and x86-64; x32, arm64, riscv64 and
loongarch64 have no such call).`,

  ProtectKernelModules: `
Prevents loading and unloading kernel modules: \`CAP_SYS_MODULE\` is removed from the bounding set,
module directories such as \`/usr/lib/modules\` are made inaccessible, and \`init_module\`,
\`finit_module\` and \`delete_module\` (\`@module\`) fail with \`EPERM\`.

**What gets installed.** One filter per ABI (three on x86-64).`,

  ProtectClock: `
Prevents changing the system or hardware clock: \`CAP_SYS_TIME\` and \`CAP_WAKE_ALARM\` are removed, RTC
devices become read-only (\`DeviceAllow=char-rtc r\` is implied), and the \`@clock\` calls
(\`settimeofday\`, \`clock_settime\`, \`adjtimex\`, \`clock_adjtime\`, …) fail with \`EPERM\` — even when
used only to read the clock state.

**What gets installed.** One filter per ABI (three on x86-64).`,

  ProtectHostname: `
Gives the service its own UTS namespace so hostname changes on the host no longer reach it, and
stops it from changing the host name: \`sethostname()\` and \`setdomainname()\` fail with \`EPERM\`.

* \`yes\` — own UTS namespace plus the seccomp filter.
* \`private\` (258+) — own UTS namespace in which the service *may* change the name; no filter.
* Since 258 either value may be followed by \`:NAME\` to set the host name inside the namespace.

**What gets installed.** For \`yes\`, one filter per ABI (three on x86-64), installed first of all the
sandboxing filters. It does not stop the service from asking \`systemd-hostnamed\` over D-Bus.`,

  PrivateDevices: `
Gives the service a minimal private \`/dev\` (\`null\`, \`zero\`, \`random\`, \`urandom\`, \`tty\`, \`pts\`,
shared memory, …) without physical devices. It removes \`CAP_MKNOD\` and \`CAP_SYS_RAWIO\`, implies
\`DevicePolicy=closed\`, and makes the \`@raw-io\` calls (\`ioperm\`, \`iopl\`, \`pciconfig_*\`, …) fail with
\`EPERM\`.

**What gets installed.** One seccomp filter per ABI (three on x86-64) plus the mount namespace and a
device cgroup policy. Not for services that need hardware access.`,

  NoNewPrivileges: `
Sets the no-new-privileges flag (\`PR_SET_NO_NEW_PRIVS\`) for the executed processes: neither they nor
their children can gain privileges through \`execve()\` — set-user-ID and set-group-ID bits and file
capabilities stop working, and SELinux transitions are restricted.

**What gets installed.** No seccomp filter; it is a single \`prctl()\`. systemd turns it on by itself
when a seccomp-based setting is used and the process no longer holds \`CAP_SYS_ADMIN\` at that point
(typically with a non-root \`User=\`), because unprivileged processes may only load seccomp filters
under no-new-privileges. \`DynamicUser=yes\` always implies it.`,

  DynamicUser: `
Runs the service under a UID/GID pair allocated when it starts (from 61184–65519) and released when
it stops; the name comes from \`User=\` or the unit name. Because the ID may be reused, systemd
locks the service down around it: it implies \`NoNewPrivileges=yes\`, \`RestrictSUIDSGID=yes\`,
\`ProtectSystem=strict\`, \`ProtectHome=read-only\`, \`PrivateTmp=\` (\`disconnected\` since 257),
\`RemoveIPC=yes\`, and persistent data only survives in \`StateDirectory=\`, \`CacheDirectory=\` and
\`LogsDirectory=\`.

**What gets installed.** No filter of its own, but the implied \`RestrictSUIDSGID=\` adds one per ABI
(three on x86-64).`,

  Personality: `
Sets the execution domain (\`personality(2)\`) that \`uname(2)\` reports to the service, e.g. \`x86\` to run
a 32-bit program on an x86-64 host. Only the native architecture and its 32-bit counterpart are
supported.

**What gets installed.** No filter. It changes which personality \`LockPersonality=\` locks in.`,

  RestrictFileSystems: `
Restricts the file system types on which the service may open files, e.g.
\`RestrictFileSystems=ext4 tmpfs proc\`; with \`~\` the listed types are forbidden instead. The first
line picks allow or deny mode, later lines add or remove types; an empty assignment lifts the
restriction. Groups such as \`@basic-api\` are available.

**What gets installed.** No seccomp filter: it is a BPF LSM program attached to the unit's cgroup.
It needs a kernel with the BPF LSM enabled (\`lsm=…,bpf\`) and a systemd built with BPF support
(\`+BPF_FRAMEWORK\` in \`systemctl --version\`). Debian 12's systemd 252 is built without it, so
there the setting is only logged and has no effect. Available since 250.`,

  CapabilityBoundingSet: `
Limits the capabilities the service's processes can ever have: capabilities outside the bounding set
are dropped from the effective, permitted and inheritable sets too. Takes capability names such as
\`CAP_NET_BIND_SERVICE\`; a leading \`~\` drops the listed ones and keeps the rest.

Lines combine: plain lists are ORed together, \`~\` lines remove from the result. An empty
assignment empties the set (no capabilities at all); \`~\` alone restores the full set. Commands with
the \`+\` prefix are not affected. Setting it is one of the most effective hardening steps for services
that run as root.

**What gets installed.** No filter; capabilities are dropped before the command runs.`,

  AmbientCapabilities: `
Grants capabilities to the process as *ambient* capabilities, so a service running as an
unprivileged \`User=\` still holds them after \`execve()\` (for example \`CAP_NET_BIND_SERVICE\` to bind
port 80). Same list syntax as \`CapabilityBoundingSet=\`: lines merge, \`~\` inverts, an empty assignment
clears. A capability must also be in the bounding set to be usable. Grant as little as possible;
each ambient capability is inherited by every program the service executes.

**What gets installed.** No filter.`,

  PrivateTmp: `
Gives the service its own \`/tmp\` and \`/var/tmp\`, invisible to other processes and cleaned up when the
service stops. Closes a whole class of symlink and temp-file races.

* \`yes\` (\`connected\` in 257+): the private directories live on the host's \`/tmp\`/\`/var/tmp\`; units
  can share them with \`JoinsNamespaceOf=\`. Adds dependencies on the mounts for those directories.
* \`disconnected\` (257+): a fresh tmpfs not backed by the host at all; implied by \`DynamicUser=yes\`.

**What gets installed.** A mount namespace; no filter.`,

  PrivateNetwork: `
Runs the service in a new network namespace containing only a loopback device, so it cannot reach
any network. AF_UNIX sockets in the file system still work, and sockets passed in via socket
activation keep working, which makes this a good fit for socket-activated services. Units can share
one such namespace with \`JoinsNamespaceOf=\`.

**What gets installed.** A network namespace; no filter. To restrict which address families may be
*created*, combine with \`RestrictAddressFamilies=\`.`,

  PrivateUsers: `
Runs the service in a user namespace. With \`yes\` (or \`self\`, 257+) only root and the service's own
user and group are mapped; every other UID/GID appears as \`nobody\`, and capabilities the service
holds apply only inside the namespace, not to the host. \`identity\` (257+) maps the first 65536 IDs
one-to-one; \`full\` (258+) maps all of them; \`managed\` (260+) uses a dynamically allocated range.

**What gets installed.** A user namespace; no filter. Files owned by other users stay visible but
show up as owned by \`nobody\`.`,

  ProtectSystem: `
Mounts parts of the file system read-only for the service:

* \`yes\`: \`/usr\` and the boot loader directories (\`/boot\`, \`/efi\`);
* \`full\`: additionally \`/etc\`;
* \`strict\`: the whole hierarchy except the API file systems (\`/dev\`, \`/proc\`, \`/sys\`); grant
  write access with \`ReadWritePaths=\`, \`StateDirectory=\`, \`LogsDirectory=\` and friends.

\`strict\` is the recommended choice for most services. **What gets installed.** Mounts in a mount
namespace; no filter.`,

  ProtectHome: `
Hides user data from the service: with \`yes\` the directories \`/home\`, \`/root\` and \`/run/user\` appear
empty and inaccessible; \`read-only\` keeps them readable; \`tmpfs\` mounts empty tmpfs instances there
(useful together with \`BindPaths=\` to expose single directories).

**What gets installed.** Mounts in a mount namespace; no filter.`,

  ProtectControlGroups: `
Keeps the service from modifying the cgroup hierarchy: with \`yes\` \`/sys/fs/cgroup\` is read-only. Since
257, \`private\` runs the service in its own cgroup namespace with a writable private cgroupfs, and
\`strict\` does the same but read-only; both fall back to \`no\`/\`yes\` behaviour where cgroup namespaces
or the unified hierarchy are unavailable. Implies \`MountAPIVFS=yes\`. Only container managers need
write access.

**What gets installed.** Mounts (and for private/strict a cgroup namespace); no filter.`,

  ProtectProc: `
Mounts a private \`/proc\` with the \`hidepid=\` option: \`noaccess\` denies access to other users'
process directories, \`invisible\` hides them completely, \`ptraceable\` hides every process the
service could not ptrace, \`default\` applies no restriction. Root and \`CAP_SYS_PTRACE\` bypass it, so
it is only effective together with \`User=\` or \`DynamicUser=\`. Since 247; needs kernel 5.8+.

**What gets installed.** A mount namespace; no filter.`,

  ProcSubset: `
With \`pid\`, mounts the service's \`/proc\` with \`subset=pid\`: only per-process directories remain and
the kernel interfaces under \`/proc\` (\`/proc/sys\`, \`/proc/cpuinfo\`, …) disappear. Many programs need
those, so use it only for simple services. \`all\` (the default) changes nothing. Since 247; needs
kernel 5.8+.

**What gets installed.** A mount namespace; no filter.`,

  IPAddressDeny: `
Adds a BPF firewall on the unit's cgroup for IPv4/IPv6 traffic: packets to or from the listed
addresses or prefixes are dropped, in both directions. \`IPAddressAllow=\` entries take precedence, so
the common pattern is \`IPAddressDeny=any\` plus \`IPAddressAllow=localhost\` (or specific networks).
Special names: \`any\`, \`localhost\`, \`link-local\`, \`multicast\`. Lists of parent slices are combined
with the unit's own.

**What gets installed.** A cgroup BPF program (not seccomp). It covers AF_INET and AF_INET6 sockets
only and needs a kernel with cgroup BPF support.`,

  UMask: `
Sets the file mode creation mask of the executed processes, in octal. The default for system
services is \`0022\` (new files readable by everyone); \`0027\` or \`0077\` keeps files the service creates
private to its user (and group).

**What gets installed.** Nothing beyond a \`umask(2)\` call.`,

  KeyringMode: `
Controls the kernel session keyring: \`private\` (the default for system services) gives each service
invocation its own keyring not linked to any user keyring, so services running as the same UID do not
share keys; \`shared\` also links the \`User=\`'s user keyring in; \`inherit\` leaves the kernel default
(the default for user services and non-service units).

**What gets installed.** Nothing but the keyring set-up.`,

  RemoveIPC: `
When the unit stops, removes the System V semaphores and shared memory segments and the POSIX and
System V message queues owned by its user and group, so nothing survives the service. Only effective
with \`User=\`, \`Group=\` or \`DynamicUser=\`; root-owned objects are never removed, and with several units
sharing a user the cleanup happens when the last one stops. Implied by \`DynamicUser=yes\`.

**What gets installed.** No filter.`,

  PrivateMounts: `
Runs the service in its own mount namespace in which mount propagation towards the host is switched
off: mounts the service makes stay private, while mounts made on the host still appear inside.
Many other sandboxing settings create such a namespace implicitly; this one requests it explicitly.

**What gets installed.** A mount namespace; no filter.`,
};

/**
 * Which hardening directives install seccomp filters themselves, for the notes in the docs: the
 * seccomp directives except SystemCallErrorNumber= (it only picks the action) and DynamicUser=
 * (its filters come through the RestrictSUIDSGID= it implies).
 */
const INSTALLS_SECCOMP: ReadonlySet<string> = new Set([...SECCOMP_DIRECTIVES].filter((n) => n !== 'SystemCallErrorNumber' && n !== 'DynamicUser'));

/** Full Markdown documentation per directive name. */
export const HARDENING_DOCS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    Object.entries(DOCS).map(([name, body]) => [name, INSTALLS_SECCOMP.has(name) ? `${body.trim()}\n\n${SECCOMP_NOTE}` : body.trim()]),
  ),
);

/** Documentation for a directive name, if we have more than the one-line description. */
export function docsFor(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(HARDENING_DOCS, name) ? HARDENING_DOCS[name] : undefined;
}
