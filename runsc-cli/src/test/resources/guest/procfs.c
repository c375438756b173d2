/* /proc/[pid]/stat, status, task/ and maps as ps, top and glibc read them. Values that differ from run to run
 * (PIDs, addresses, times, sizes) are printed only as relations. */
#include "guest.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/wait.h>

/* The contents of a small /proc file, NUL-terminated, or "" if it cannot be read. */
static char *slurp(const char *path) {
    static char buf[1 << 16];
    buf[0] = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return buf;
    }
    size_t n = 0;
    ssize_t r;
    while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) {
        n += r;
    }
    buf[n] = 0;
    close(fd);
    return buf;
}

/* The fields of a stat line: fields[0] is the pid, [1] the comm (without parentheses), [2] the state... Returns
 * how many there are. */
static int stat_fields(const char *path, char fields[64][64]) {
    char *s = slurp(path);
    char *open_paren = strchr(s, '(');
    char *close_paren = strrchr(s, ')');
    if (open_paren == NULL || close_paren == NULL || close_paren[1] != ' ') {
        return 0;
    }
    snprintf(fields[0], 64, "%.*s", (int) (open_paren - s - 1), s);
    snprintf(fields[1], 64, "%.*s", (int) (close_paren - open_paren - 1), open_paren + 1);
    int n = 2;
    for (char *tok = strtok(close_paren + 2, " \n"); tok != NULL && n < 64; tok = strtok(NULL, " \n")) {
        snprintf(fields[n++], 64, "%s", tok);
    }
    return n;
}

/* The value of "Key:" in a status file, or -1. */
static long status_value(const char *path, const char *key) {
    char *s = slurp(path);
    size_t k = strlen(key);
    for (char *line = s; *line; ) {
        if (strncmp(line, key, k) == 0 && line[k] == ':') {
            return strtol(line + k + 1, NULL, 10);
        }
        char *nl = strchr(line, '\n');
        if (nl == NULL) {
            break;
        }
        line = nl + 1;
    }
    return -1;
}

/* The maps line covering addr, copied into line, or 0 if none. */
static int maps_line(unsigned long addr, char *line, size_t len) {
    char *s = slurp("/proc/self/maps");
    for (char *l = s; *l; ) {
        char *nl = strchr(l, '\n');
        unsigned long lo, hi;
        if (sscanf(l, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi) {
            snprintf(line, len, "%.*s", (int) (nl ? nl - l : (long) strlen(l)), l);
            return 1;
        }
        if (nl == NULL) {
            break;
        }
        l = nl + 1;
    }
    return 0;
}

static void *parked(void *arg) {
    int *fd = arg;
    char c;
    read(*fd, &c, 1);             /* until main writes */
    return NULL;
}

int main(void) {
    char f[64][64];
    char path[320];

    /* stat: 52 fields; pid, ppid, pgrp and session agree with the syscalls; the reader is running */
    EXPECT(stat_fields("/proc/self/stat", f), 52);
    FACT(atoi(f[0]) == getpid());
    SAY("comm: %s\n", f[1]);
    SAY("state: %s\n", f[2]);
    FACT(atoi(f[3]) == getppid());
    FACT(atoi(f[4]) == getpgrp());
    FACT(atoi(f[5]) == getsid(0));
    SAY("num_threads: %s\n", f[19]);
    FACT(atol(f[22]) > 0);                        /* vsize */
    FACT(atol(f[23]) > 0);                        /* rss in pages */
    FACT(atol(f[23]) * 4096 <= atol(f[22]));
    SAY("exit_signal: %s\n", f[37]);
    snprintf(path, sizeof path, "/proc/%d/stat", getpid());
    EXPECT(stat_fields(path, f), 52);
    FACT(atoi(f[0]) == getpid());

    /* status: Threads, VmSize and VmRSS, PPid */
    EXPECT(status_value("/proc/self/status", "Threads"), 1);
    FACT(status_value("/proc/self/status", "PPid") == getppid());
    FACT(status_value("/proc/self/status", "VmSize") > 0);
    FACT(status_value("/proc/self/status", "VmRSS") > 0);
    FACT(status_value("/proc/self/status", "VmRSS") <= status_value("/proc/self/status", "VmSize"));

    /* a second thread: two tasks, each with its own stat under task/ */
    int p[2];
    EXPECT(pipe(p), 0);
    pthread_t th;
    EXPECT(pthread_create(&th, NULL, parked, &p[0]), 0);
    usleep(20000);
    EXPECT(status_value("/proc/self/status", "Threads"), 2);
    EXPECT(stat_fields("/proc/self/stat", f), 52);
    SAY("num_threads: %s\n", f[19]);
    int tids = 0, found_self = 0;
    DIR *d = opendir("/proc/self/task");
    FACT(d != NULL);
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL; ) {
        if (e->d_name[0] == '.') {
            continue;
        }
        tids++;
        found_self |= atoi(e->d_name) == gettid();
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        EXPECTL("task stat fields", stat_fields(path, f), 52);
        FACT(strcmp(f[0], e->d_name) == 0);
        FACT(atoi(f[3]) == getppid());
    }
    if (d != NULL) {
        closedir(d);
    }
    EXPECT(tids, 2);
    FACT(found_self);
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", gettid());
    SAY("task comm: %s", slurp(path));
    EXPECT(write(p[1], "x", 1), 1);
    EXPECT(pthread_join(th, NULL), 0);

    /* a child: in /proc's listing, S while it waits, Z once it exits and until it is reaped, then gone */
    pid_t child = fork();
    if (child == 0) {
        char c;
        read(p[0], &c, 1);
        _exit(3);
    }
    usleep(50000);
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    EXPECT(stat_fields(path, f), 52);
    SAY("waiting child state: %s\n", f[2]);
    FACT(atoi(f[3]) == getpid());
    FACT(atoi(f[4]) == getpgrp());
    int listed = 0;
    d = opendir("/proc");
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL; ) {
        listed += atoi(e->d_name) == child || atoi(e->d_name) == getpid();
    }
    if (d != NULL) {
        closedir(d);
    }
    EXPECT(listed, 2);
    EXPECT(write(p[1], "x", 1), 1);
    usleep(100000);
    EXPECT(stat_fields(path, f), 52);
    SAY("exited child state: %s\n", f[2]);
    SAY("exited child exit_code: %s\n", f[51]);
    FACT(atol(f[22]) == 0 && atol(f[23]) == 0);   /* a zombie has no memory: vsize and rss are 0 */
    int status;
    FACT(waitpid(child, &status, 0) == child);
    EXPECT_ERR(open(path, O_RDONLY), ENOENT);

    /* maps: the executable's code is named by its path, the stack is [stack], the heap [heap], anonymous memory
     * unnamed, and the permissions are the mapping's */
    char line[512], exe[256];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    FACT(n > 0);
    exe[n > 0 ? n : 0] = 0;
    FACT(maps_line((unsigned long) &main, line, sizeof line));
    FACT(strstr(line, exe) != NULL && strlen(strstr(line, exe)) == strlen(exe));
    SAY("code perms: %.4s\n", strchr(line, ' ') + 1);
    FACT(strlen(line) == 73 + strlen(exe));       /* the path starts in column 73 */
    int local;
    FACT(maps_line((unsigned long) &local, line, sizeof line));
    SAY("stack: %s perms %.4s\n", strstr(line, "[stack]") ? "[stack]" : line, strchr(line, ' ') + 1);
    void *heap = sbrk(0);
    EXPECT_OK((long) sbrk(4096));
    FACT(maps_line((unsigned long) heap, line, sizeof line));
    SAY("heap: %s\n", strstr(line, "[heap]") ? "[heap]" : line);
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    FACT(m != MAP_FAILED);
    EXPECT(mprotect(m + 4096, 4096, PROT_NONE), 0);
    FACT(maps_line((unsigned long) m, line, sizeof line));
    SAY("anon: %s\n", strchr(line, ' ') + 1);
    FACT(maps_line((unsigned long) m + 4096, line, sizeof line));
    SAY("anon guard: %s\n", strchr(line, ' ') + 1);

    /* cpuinfo, /proc/stat and sched_getaffinity agree on the CPUs glibc counts */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    FACT(cpus >= 1);
    int entries = 0, cpu_lines = 0;
    for (char *l = slurp("/proc/cpuinfo"); l != NULL && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        entries += strncmp(l, "processor\t: ", 12) == 0;
    }
    FACT(entries == cpus);
    char *st = slurp("/proc/stat");
    FACT(strncmp(st, "cpu  ", 5) == 0);
    long btime = 0;
    for (char *l = st; l != NULL && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        cpu_lines += strncmp(l, "cpu", 3) == 0 && l[3] >= '0' && l[3] <= '9';
        if (strncmp(l, "btime ", 6) == 0) {
            btime = atol(l + 6);
        }
    }
    FACT(cpu_lines == cpus);
    FACT(btime > 0 && btime <= time(NULL));
    cpu_set_t set;
    EXPECT(sched_getaffinity(0, sizeof set, &set), 0);
    FACT(CPU_COUNT(&set) == cpus);

    /* meminfo: the kernel's layout, free memory within the total */
    char *mi = slurp("/proc/meminfo");
    long total = -1, free_kb = -1, avail = -1;
    FACT(sscanf(mi, "MemTotal: %ld kB\nMemFree: %ld kB\nMemAvailable: %ld kB\n", &total, &free_kb, &avail) == 3);
    FACT(mi[15] == ' ' && mi[23] >= '0' && mi[23] <= '9');      /* "%-16s%8lu kB": right-aligned in 8 */
    FACT(total > 0 && free_kb >= 0 && free_kb <= total && avail <= total);

    /* loadavg: three averages, runnable/total, last pid */
    float l1, l5, l15;
    int running, total_tasks, last;
    FACT(sscanf(slurp("/proc/loadavg"), "%f %f %f %d/%d %d", &l1, &l5, &l15, &running, &total_tasks, &last) == 6);
    FACT(running >= 1 && running <= total_tasks);

    /* limits: the header and a row set through setrlimit */
    struct rlimit r = {.rlim_cur = 1000, .rlim_max = 1000};
    EXPECT(setrlimit(RLIMIT_NOFILE, &r), 0);
    char *lim = slurp("/proc/self/limits");
    char *nl = strchr(lim, '\n');
    SAY("%.*s|\n", (int) (nl - lim), lim);
    char *row = strstr(lim, "Max open files");
    FACT(row != NULL);
    SAY("%.*s|\n", row ? (int) (strchr(row, '\n') - row) : 0, row ? row : "");
    row = strstr(lim, "Max nice priority");
    SAY("%.*s|\n", row ? (int) (strchr(row, '\n') - row) : 0, row ? row : "");
    return guest_done();
}
