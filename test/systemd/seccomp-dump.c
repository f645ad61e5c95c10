/* Dumps the seccomp BPF filters attached to processes: for each PID given on the command line it
 * reads Seccomp/Seccomp_filters/NoNewPrivs from /proc/PID/status, attaches with PTRACE_SEIZE +
 * PTRACE_INTERRUPT, fetches every program with PTRACE_SECCOMP_GET_FILTER (index 0 = oldest) and
 * prints one JSON object per PID on stdout, then detaches. Needs CAP_SYS_ADMIN and no seccomp itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif
#define MAX_FILTERS 4096 /* far above the kernel's 32768-instruction path limit / 5 */

static void json_str(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

/* Reads "Key:\t<long>" from /proc/PID/status; returns -1 when absent. */
static long status_field(const char *status, const char *key) {
    size_t n = strlen(key);
    const char *p = status;
    while (p && *p) {
        if (strncmp(p, key, n) == 0 && p[n] == ':') return strtol(p + n + 1, NULL, 10);
        p = strchr(p, '\n');
        if (p) p++;
    }
    return -1;
}

static int read_status(pid_t pid, char *buf, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t len = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[len] = 0;
    return 0;
}

static void fail(pid_t pid, const char *what, int err) {
    printf("{\"pid\":%d,\"error\":", (int)pid);
    char msg[256];
    snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
    json_str(msg);
    printf("}\n");
}

static int dump(pid_t pid) {
    static char status[16384];
    if (read_status(pid, status, sizeof status) < 0) { fail(pid, "read status", errno); return 1; }
    long mode = status_field(status, "Seccomp");
    long count = status_field(status, "Seccomp_filters");
    long nnp = status_field(status, "NoNewPrivs");

    if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0) { fail(pid, "PTRACE_SEIZE", errno); return 1; }
    if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0) {
        int e = errno; ptrace(PTRACE_DETACH, pid, 0, 0); fail(pid, "PTRACE_INTERRUPT", e); return 1;
    }
    int wstatus;
    if (waitpid(pid, &wstatus, __WALL) < 0) { fail(pid, "waitpid", errno); return 1; }
    if (WIFEXITED(wstatus) || WIFSIGNALED(wstatus)) { fail(pid, "process exited", ESRCH); return 1; }

    /* Programs, oldest first. The kernel returns -ENOENT past the last one. */
    struct sock_filter *prog = malloc(sizeof(struct sock_filter) * 4096);
    if (!prog) { ptrace(PTRACE_DETACH, pid, 0, 0); fail(pid, "malloc", ENOMEM); return 1; }
    printf("{\"pid\":%d,\"seccomp\":%ld,\"seccompFilters\":%ld,\"noNewPrivs\":%ld,\"programs\":[",
           (int)pid, mode, count, nnp);
    int rc = 0;
    long i;
    for (i = 0; i < MAX_FILTERS; i++) {
        long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, NULL);
        if (n < 0) {
            /* ENOENT: past the last filter. EINVAL: the task is not in filter mode (no filters). */
            if (errno != ENOENT && !(errno == EINVAL && i == 0 && mode != 2)) rc = errno;
            break;
        }
        if (n > 4096) { rc = E2BIG; break; }
        long m = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, prog);
        if (m != n) { rc = m < 0 ? errno : EIO; break; }
        printf("%s{\"index\":%ld,\"insns\":%ld,\"hex\":\"", i ? "," : "", i, n);
        const unsigned char *b = (const unsigned char *)prog;
        for (long k = 0; k < n * (long)sizeof(struct sock_filter); k++) printf("%02x", b[k]);
        printf("\"}");
    }
    printf("],\"read\":%ld", i);
    if (rc) { printf(",\"error\":"); char msg[128]; snprintf(msg, sizeof msg, "PTRACE_SECCOMP_GET_FILTER: %s", strerror(rc)); json_str(msg); }
    printf("}\n");
    free(prog);
    ptrace(PTRACE_DETACH, pid, 0, 0);
    return rc ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PID...\n", argv[0]); return 2; }
    int bad = 0;
    for (int a = 1; a < argc; a++) {
        char *end;
        long pid = strtol(argv[a], &end, 10);
        if (*end || pid <= 0) { fprintf(stderr, "bad pid: %s\n", argv[a]); bad = 1; continue; }
        bad |= dump((pid_t)pid);
        fflush(stdout);
    }
    return bad;
}
