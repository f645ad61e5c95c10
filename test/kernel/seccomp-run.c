/*
 * seccomp-run: the kernel side of unit-harden's emulator-agreement test. For each case it forks a
 * child that sets PR_SET_NO_NEW_PRIVS, attaches the listed BPF programs in order with
 * seccomp(SECCOMP_SET_MODE_FILTER), makes one raw system call and reports what happened: the return
 * value (and errno), a SIGSYS caught by its handler (SECCOMP_RET_TRAP), or death by a signal
 * (SECCOMP_RET_KILL_*). Results travel through shared memory, because after the filters are attached
 * the child must not depend on any other system call (write, exit) being allowed.
 *
 * Input (file argument or stdin), one item per line:
 *   P <hex>                                   a program: raw struct sock_filter bytes (defines P0, P1, ...)
 *   C <id> <progs> <abi> <nr> <a0> ... <a5>   a case: progs = comma-separated indexes or '-';
 *                                             abi = x64 | x32 | i386 | none (only attach the programs)
 * Output: one JSON object per case, in input order.
 *
 * x32 calls use the `syscall` instruction with X32_SYSCALL_BIT in the number; i386 calls use
 * `int $0x80` from this 64-bit process (5 arguments at most; a kernel without IA32 emulation
 * answers with SIGSEGV). Each child has a 10 s alarm, so a case can never hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROGS 4096
#define MAX_CASE_PROGS 2048
#define X32_BIT 0x40000000L

struct prog {
	struct sock_filter *insns;
	unsigned short len;
};

struct result {
	volatile int state; /* 0 started, 1 programs attached (or failed), 2 call returned, 3 trapped */
	volatile int loaded;
	volatile int load_errno;
	volatile long ret;
	volatile int trap_syscall;
	volatile unsigned int trap_arch;
	volatile int trap_data;
};

static struct prog progs[MAX_PROGS];
static int nprogs;
static struct result *shared;

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_prog(const char *hex)
{
	size_t n = strlen(hex);
	if (n % 16 != 0 || n / 16 > 65535 || nprogs >= MAX_PROGS)
		return -1;
	unsigned char *bytes = malloc(n / 2 + 1);
	if (!bytes)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(bytes);
			return -1;
		}
		bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	progs[nprogs].insns = (struct sock_filter *)bytes;
	progs[nprogs].len = (unsigned short)(n / 16);
	nprogs++;
	return 0;
}

static void on_sigsys(int sig, siginfo_t *info, void *uctx)
{
	(void)sig;
	(void)uctx;
	shared->trap_syscall = info->si_syscall;
	shared->trap_arch = info->si_arch;
	shared->trap_data = info->si_errno;
	shared->state = 3;
	/* Leave without a system call that a filter might refuse: a fault ends the child. */
	__builtin_trap();
}

static long raw_syscall6(long nr, const long a[6])
{
	long ret;
	register long r10 __asm__("r10") = a[3];
	register long r8 __asm__("r8") = a[4];
	register long r9 __asm__("r9") = a[5];
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static long raw_int80(long nr, const long a[6])
{
	long ret = nr;
	/* The kernel zeroes r8-r11 on return from a compat system call. */
	__asm__ volatile("int $0x80"
			 : "+a"(ret)
			 : "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4])
			 : "r8", "r9", "r10", "r11", "memory");
	return ret;
}

static __attribute__((noreturn)) void leave(void)
{
	const long z[6] = {0, 0, 0, 0, 0, 0};
	raw_syscall6(SYS_exit_group, z);
	/* exit_group was refused by a filter: end with a fault instead. */
	__builtin_trap();
}

static void run_child(const int *idx, int nidx, const char *abi, long nr, const long a[6])
{
	struct rlimit no_core = {0, 0};
	struct sigaction sa;

	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	alarm(10);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		shared->load_errno = errno;
		shared->state = 1;
		leave();
	}
	for (int i = 0; i < nidx; i++) {
		struct sock_fprog fp = {progs[idx[i]].len, progs[idx[i]].insns};
		const long args[6] = {SECCOMP_SET_MODE_FILTER, 0, (long)&fp, 0, 0, 0};
		long r = raw_syscall6(SYS_seccomp, args);
		if (r < 0) {
			shared->load_errno = (int)-r;
			shared->state = 1;
			leave();
		}
		shared->loaded = i + 1;
	}
	shared->state = 1;
	if (strcmp(abi, "none") == 0)
		leave();
	long ret;
	if (strcmp(abi, "i386") == 0)
		ret = raw_int80(nr, a);
	else if (strcmp(abi, "x32") == 0)
		ret = raw_syscall6(nr | X32_BIT, a);
	else
		ret = raw_syscall6(nr, a);
	shared->ret = ret;
	shared->state = 2;
	leave();
}

static void run_case(char *line)
{
	static char list[16384];
	char id[128], abi[16];
	long nr;
	long a[6] = {0};
	static int idx[MAX_CASE_PROGS];
	int nidx = 0;
	char *rest;

	if (sscanf(line, "C %127s %16383s %15s %ld", id, list, abi, &nr) != 4) {
		printf("{\"error\":\"bad case line\"}\n");
		return;
	}
	/* Skip the four fields, then read up to six arguments (hex or decimal, any sign). */
	rest = line;
	for (int f = 0; f < 5 && rest; f++) {
		rest = strchr(rest, ' ');
		while (rest && *rest == ' ')
			rest++;
	}
	for (int i = 0; i < 6 && rest && *rest; i++) {
		char *end;
		a[i] = (long)strtoull(rest, &end, 0);
		if (*rest == '-')
			a[i] = strtoll(rest, &end, 0);
		rest = end;
		while (*rest == ' ')
			rest++;
	}
	if (strcmp(list, "-") != 0) {
		for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
			int i = atoi(tok);
			if (i < 0 || i >= nprogs || nidx >= MAX_CASE_PROGS) {
				printf("{\"id\":\"%s\",\"error\":\"bad program index\"}\n", id);
				return;
			}
			idx[nidx++] = i;
		}
	}
	memset((void *)shared, 0, sizeof(*shared));
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		printf("{\"id\":\"%s\",\"error\":\"fork: %s\"}\n", id, strerror(errno));
		return;
	}
	if (pid == 0)
		run_child(idx, nidx, abi, nr, a);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	printf("{\"id\":\"%s\",\"loaded\":%d,\"programs\":%d", id, shared->loaded, nidx);
	if (shared->load_errno)
		printf(",\"loadErrno\":%d", shared->load_errno);
	if (shared->state == 2) {
		long r = shared->ret;
		printf(",\"kind\":\"returned\",\"ret\":\"%ld\"", r);
		if (r < 0 && r >= -4095)
			printf(",\"errno\":%ld", -r);
	} else if (shared->state == 3) {
		printf(",\"kind\":\"trap\",\"trapSyscall\":%d,\"trapArch\":%u,\"trapData\":%d", shared->trap_syscall,
		       shared->trap_arch, shared->trap_data);
	} else if (shared->state == 1 && strcmp(abi, "none") == 0) {
		printf(",\"kind\":\"attached\"");
	} else if (WIFSIGNALED(status)) {
		printf(",\"kind\":\"signal\",\"signal\":%d", WTERMSIG(status));
	} else {
		printf(",\"kind\":\"exited\",\"status\":%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	if (WIFSIGNALED(status))
		printf(",\"termSignal\":%d", WTERMSIG(status));
	printf("}\n");
}

int main(int argc, char **argv)
{
	FILE *in = stdin;
	char *line = NULL;
	size_t cap = 0;

	if (argc > 1 && !(in = fopen(argv[1], "r"))) {
		perror(argv[1]);
		return 2;
	}
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	while (getline(&line, &cap, in) > 0) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == 'P' && line[1] == ' ') {
			if (parse_prog(line + 2) != 0) {
				printf("{\"error\":\"bad program %d\"}\n", nprogs);
				return 2;
			}
		} else if (line[0] == 'C' && line[1] == ' ') {
			run_case(line);
		}
	}
	fflush(stdout);
	free(line);
	return 0;
}
