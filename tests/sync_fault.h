/*
 * For tests of a disk that loses a write: a seccomp filter on the calling process (kept
 * across exec) that gives each fdatasync() `action` and lets every other call run. With
 * SECCOMP_RET_ERRNO | EIO the kernel fails them; with SECCOMP_RET_USER_NOTIF each waits for a
 * listener, returned here, that decides. The kernel's own answers: no stand-in for our code.
 */
#ifndef BM_TEST_SYNC_FAULT_H
#define BM_TEST_SYNC_FAULT_H

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define BM_TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define BM_TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

/* The listener (SECCOMP_RET_USER_NOTIF), else 0; -1 if the filter could not be installed. */
static inline int
filter_fdatasync(unsigned int action)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BM_TEST_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fdatasync, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, action),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
    unsigned long flags = action == SECCOMP_RET_USER_NOTIF ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

#endif
