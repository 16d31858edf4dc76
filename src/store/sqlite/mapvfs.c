/*
 * A VFS over SQLite's "unix" one whose database files keep their memory map from one read
 * transaction to the next.
 *
 * Why. A case read touches six or seven leaf pages scattered over a million cases, which no
 * connection's page cache holds: each was a pread(2), a system call and a 4 KiB copy, about
 * a fifth of the server's time per read. Through a memory map (PRAGMA mmap_size) SQLite
 * reads those pages in place from the operating system's cache. But in WAL mode a
 * connection unmaps the whole file whenever another connection has committed since its
 * last transaction, so that the next read maps it again at its new size: with writes going
 * on, every read paid an munmap, an mmap and a page fault per page, and reads ran four
 * times slower than with pread (docs/performance.md).
 *
 * What. The map is shared (MAP_SHARED) and read-only: a page read through it is what
 * pread would return at that moment, and SQLite still takes every page its snapshot has in
 * the WAL from the WAL. Keeping the map is therefore as correct as pread, on Linux, as long
 * as the file is not cut shorter than the map, which SQLite itself never does under a
 * reader (a checkpoint truncates only when no reader uses an older snapshot, and the
 * server never vacuums). So this VFS passes SQLite's "unmap everything" on only when the
 * map has become too short: a page past its end but inside the file was asked for, and
 * the next transaction maps the file afresh. Everything else goes to "unix" unchanged.
 */
#include "store/sqlite/mapvfs.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* "unix" serves a page from its map only with this many bytes mapped after it. */
#define UNIX_EOF_BUFFER 256

struct map_file {
    sqlite3_file base;
    sqlite3_file *real;  /* the "unix" file, right after this struct */
    sqlite3_int64 limit; /* the connection's mmap_size, as its pager set it */
    bool short_map;      /* a page between the map's end and the file's was asked for */
};

#define REAL(f) (((struct map_file *)(f))->real)

static sqlite3_vfs *unix_vfs;
static sqlite3_vfs map_vfs;

static int
map_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}

static int
map_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
map_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
map_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
map_sync(sqlite3_file *f, int flags)
{
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
map_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
map_lock(sqlite3_file *f, int lock)
{
    return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int
map_unlock(sqlite3_file *f, int lock)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int
map_check_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
map_file_control(sqlite3_file *f, int op, void *arg)
{
    /* The pager passes its limit, already capped at SQLite's compiled maximum. */
    if (op == SQLITE_FCNTL_MMAP_SIZE && *(sqlite3_int64 *)arg >= 0)
        ((struct map_file *)f)->limit = *(sqlite3_int64 *)arg;
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
map_sector_size(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
map_device_characteristics(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
map_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, out);
}

static int
map_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void
map_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
map_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int
map_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
    struct map_file *m = (struct map_file *)f;
    sqlite3_int64 size, reach;
    int rc = m->real->pMethods->xFetch(m->real, off, n, out);

    /* Not served: past the file's end (SQLite reads it instead), or the file has grown
     * past the map, which a fresh map would cover. */
    if (rc == SQLITE_OK && *out == NULL && m->limit > 0 && !m->short_map &&
        m->real->pMethods->xFileSize(m->real, &size) == SQLITE_OK) {
        reach = size < m->limit ? size : m->limit;
        m->short_map = off + n + UNIX_EOF_BUFFER <= reach;
    }
    return rc;
}

static int
map_unfetch(sqlite3_file *f, sqlite3_int64 off, void *page)
{
    struct map_file *m = (struct map_file *)f;

    /* A page handed back always goes through; the whole map only when it is too short. */
    if (page == NULL && !m->short_map)
        return SQLITE_OK;
    if (page == NULL)
        m->short_map = false;
    return m->real->pMethods->xUnfetch(m->real, off, page);
}

static const sqlite3_io_methods map_methods = {
    .iVersion = 3,
    .xClose = map_close,
    .xRead = map_read,
    .xWrite = map_write,
    .xTruncate = map_truncate,
    .xSync = map_sync,
    .xFileSize = map_file_size,
    .xLock = map_lock,
    .xUnlock = map_unlock,
    .xCheckReservedLock = map_check_reserved,
    .xFileControl = map_file_control,
    .xSectorSize = map_sector_size,
    .xDeviceCharacteristics = map_device_characteristics,
    .xShmMap = map_shm_map,
    .xShmLock = map_shm_lock,
    .xShmBarrier = map_shm_barrier,
    .xShmUnmap = map_shm_unmap,
    .xFetch = map_fetch,
    .xUnfetch = map_unfetch,
};

static int
map_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    struct map_file *m = (struct map_file *)f;
    int rc;

    (void)vfs;
    memset(m, 0, sizeof(*m));
    m->real = (sqlite3_file *)(m + 1);
    rc = unix_vfs->xOpen(unix_vfs, name, m->real, flags, out_flags);
    /* SQLite closes a file whose methods are set, even when its open failed. */
    m->base.pMethods = m->real->pMethods != NULL ? &map_methods : NULL;
    return rc;
}

const char *
sq_mapvfs_register(void)
{
    if (unix_vfs == NULL) {
        unix_vfs = sqlite3_vfs_find("unix");
        if (unix_vfs == NULL || unix_vfs->iVersion < 3)
            return NULL;
        map_vfs = *unix_vfs; /* its other methods, and pAppData, as they are */
        map_vfs.szOsFile = (int)sizeof(struct map_file) + unix_vfs->szOsFile;
        map_vfs.zName = SQ_MAPVFS_NAME;
        map_vfs.pNext = NULL;
        map_vfs.xOpen = map_open;
        if (sqlite3_vfs_register(&map_vfs, 0) != SQLITE_OK) {
            unix_vfs = NULL;
            return NULL;
        }
    }
    return SQ_MAPVFS_NAME;
}
