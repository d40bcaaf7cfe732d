#ifndef CBERTHSYS_H
#define CBERTHSYS_H

/// Atomically exchanges two paths (Linux renameat2 RENAME_EXCHANGE).
/// Returns 0 on success, -1 with errno set otherwise (e.g. ENOSYS, EINVAL on filesystems
/// that cannot exchange); callers fall back to two plain renames.
int berth_exchange_paths(const char *a, const char *b);

/// Flushes the filesystem holding `path` to stable storage (Linux syncfs); 0 on success.
int berth_sync_filesystem(const char *path);

/// Opens `path` read-only without following a symbolic link in any of its components
/// (Linux openat2 RESOLVE_NO_SYMLINKS). Returns a file descriptor, or -1 with errno set
/// (ELOOP when a component is a symbolic link, ENOSYS where openat2 is missing).
int berth_open_no_symlinks(const char *path);
#endif
