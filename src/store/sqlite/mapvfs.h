/*
 * The read connections' VFS: SQLite's "unix" with a memory map kept across transactions
 * (mapvfs.c says why and when that is safe).
 */
#ifndef BM_STORE_SQLITE_MAPVFS_H
#define BM_STORE_SQLITE_MAPVFS_H

#include <sqlite3.h>

#define SQ_MAPVFS_NAME "bianmin-map"

/* Registers the VFS (not as the default) on the first call; its name, or NULL when SQLite
 * has no usable "unix" VFS. Not thread-safe: call it once, before any other thread opens. */
const char *sq_mapvfs_register(void);

#endif
