#define _GNU_SOURCE
#include "cberthsys.h"
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/fs.h>
#endif

int berth_exchange_paths(const char *a, const char *b) {
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int berth_sync_filesystem(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
#if defined(__linux__)
    int rc = syncfs(fd);
#else
    int rc = fsync(fd);
#endif
    close(fd);
    return rc;
}
