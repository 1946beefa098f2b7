"""A FUSE filesystem over a backing folder that keeps every file's writes in memory, as a disk's
volatile write cache does, until the file is fsync'd or fdatasync'd; for the power-cut test.

Run as ``python volatile_cache_fs.py BACKING MOUNTPOINT [--allow-other]`` (root, /dev/fuse,
mfusepy over libfuse 3 or 2); ``--allow-other`` lets other users in (a PostgreSQL cluster runs
as ``postgres``), and what a user creates is theirs. What it models, per regular file:

- ``write`` and ``truncate`` change the file as every reader on the mount sees it at once, but
  the backing file stays as it was: the new content lives in 512-byte sectors held in memory,
  and a size change is pending too;
- ``fsync`` and ``fdatasync`` write the file's sectors and its size to the backing file: from
  then on they survive a power cut;
- ``close`` (``flush``, ``release``) does not: closing a file is no promise that it is on disk;
- a power cut (the line ``cut SEED KEEP`` on standard input) writes a random subset of the
  unsynced sectors, each with probability KEEP (a disk may have written any of them, in any
  order), and the pending size with the same probability, chosen by a generator seeded with
  SEED; then the process ends at once, without answering another request. ``KEEP`` 0 drops
  every unsynced write.

What it does not model: directory operations (create, unlink, rename, mkdir, rmdir, links,
permissions and times) reach the backing folder at once, as if the directory were fsync'd
after each, so a file created or renamed and not yet made durable by a directory fsync never
disappears; the backing folder itself is never fsync'd (what it holds counts as on disk, and
the machine's own power is not cut); and a sector is written whole or not at all (a 512-byte
sector never tears).

A clean unmount (``fusermount3 -u``) writes every unsynced sector first, as an orderly
shutdown does; the end of standard input (the test is gone) unmounts lazily and exits.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

import mfusepy

SECTOR = 512


@dataclass
class VolatileFile:
    """One backing file (one inode) and what was written to it since its last fsync."""

    fd: int  # the backing file, opened read-write for as long as this state lives
    size: int  # the size every reader on the mount sees
    # Bytes at or past this offset that no sector holds read as zeros: a truncation shrank the
    # file there since the last fsync, so what the backing file still has beyond is stale.
    hole_from: int
    dirty: dict[int, bytes] = field(default_factory=dict)  # sector number -> its 512 bytes
    handles: int = 0

    @classmethod
    def open(cls, fd: int) -> VolatileFile:
        size = os.fstat(fd).st_size
        return cls(fd=fd, size=size, hole_from=size)

    def _stored(self, sector: int) -> bytes:
        """A clean sector as the mount sees it: the backing bytes, zeros past the hole."""
        start = sector * SECTOR
        if start >= self.hole_from:
            return bytes(SECTOR)
        data = os.pread(self.fd, SECTOR, start)
        data = data[: max(0, self.hole_from - start)]
        return data + bytes(SECTOR - len(data))

    def read(self, size: int, offset: int) -> bytes:
        end = min(offset + size, self.size)
        if offset >= end:
            return b""
        first, last = offset // SECTOR, (end - 1) // SECTOR
        start = first * SECTOR
        # One read of the backing file for the whole range, then the dirty sectors over it.
        data = bytearray(os.pread(self.fd, max(0, min(end, self.hole_from) - start), start))
        data.extend(bytes((last + 1) * SECTOR - start - len(data)))
        sectors = range(first, last + 1)
        for sector in sectors if len(sectors) < len(self.dirty) else sorted(self.dirty):
            content = self.dirty.get(sector)
            if content is not None and first <= sector <= last:
                data[(sector - first) * SECTOR : (sector - first + 1) * SECTOR] = content
        return bytes(data[offset - start : end - start])

    def write(self, data: bytes, offset: int) -> int:
        end = offset + len(data)
        for sector in range(offset // SECTOR, (end - 1) // SECTOR + 1 if data else 0):
            start = sector * SECTOR
            # Past the end of the file a sector reads as zeros: the size never drops below
            # ``hole_from``, and truncate zeroes a dirty sector's tail.
            content = bytearray(self.dirty.get(sector) or self._stored(sector))
            low, high = max(offset, start), min(end, start + SECTOR)
            content[low - start : high - start] = data[low - offset : high - offset]
            self.dirty[sector] = bytes(content)
        self.size = max(self.size, end)
        return len(data)

    def truncate(self, length: int) -> None:
        if length < self.size:
            for sector in [number for number in self.dirty if number * SECTOR >= length]:
                del self.dirty[sector]
            last = length // SECTOR
            if last in self.dirty:
                keep = length - last * SECTOR
                self.dirty[last] = self.dirty[last][:keep] + bytes(SECTOR - keep)
            self.hole_from = min(self.hole_from, length)
        self.size = length

    def persist(self, rng: random.Random | None = None, keep: float = 1.0) -> tuple[int, int]:
        """Write the dirty sectors and the size to the backing file: all of them (an fsync), or
        each with probability ``keep`` (a power cut). Returns (sectors written, sectors dirty)."""
        chosen = sorted(self.dirty)
        if rng is not None:
            chosen = [sector for sector in chosen if rng.random() < keep]
        stored = os.fstat(self.fd).st_size
        size_kept = rng is None or self.size == stored or rng.random() < keep
        length = self.size if size_kept else stored
        if size_kept and self.hole_from < stored:
            os.ftruncate(self.fd, self.hole_from)  # the shrink first: what lay beyond is gone
        for sector in chosen:
            start = sector * SECTOR
            if start < length:
                os.pwrite(self.fd, self.dirty[sector][: length - start], start)
        os.ftruncate(self.fd, length)
        dirty = len(self.dirty)
        self.dirty.clear()
        self.hole_from = self.size = length
        return len(chosen), dirty


class VolatileCacheFS(mfusepy.Operations):  # type: ignore[misc]
    """Pass-through to ``backing``, with each file's writes held back until its fsync."""

    use_ns = True
    # Open files are reached by handle, so an unlinked file can still be read and written.
    flag_nopath = True
    flag_nullpath_ok = True

    def __init__(self, backing: str) -> None:
        self.backing = os.path.realpath(backing)
        self.mutex = threading.Lock()  # one request at a time, and none once the power is cut
        self.files: dict[tuple[int, int], VolatileFile] = {}  # by the backing (device, inode)
        self.handles: dict[int, VolatileFile] = {}
        self.folders: dict[int, str] = {}  # open directory handles: their backing paths
        self.next_handle = 1

    def _path(self, path: str) -> str:
        return os.path.join(self.backing, path.lstrip("/"))

    def _file(self, real: str, flags: int = 0) -> VolatileFile:
        fd = os.open(real, os.O_RDWR | flags, 0o600)
        status = os.fstat(fd)
        known = self.files.get((status.st_dev, status.st_ino))
        if known is not None:
            os.close(fd)
            return known
        state = VolatileFile.open(fd)
        self.files[(status.st_dev, status.st_ino)] = state
        return state

    def _own(self, real: str) -> None:
        """Give what a request created to its caller, as a kernel filesystem would."""
        uid, gid, _pid = mfusepy.fuse_get_context()
        if (uid, gid) != (os.geteuid(), os.getegid()):
            os.lchown(real, uid, gid)

    def _forget_unlinked(self) -> None:
        """Drop the states of files no name reaches any more (their inode may be reused)."""
        for key, state in list(self.files.items()):
            if os.fstat(state.fd).st_nlink == 0:
                del self.files[key]
                if state.handles == 0:
                    os.close(state.fd)

    def _release_if_idle(self, state: VolatileFile) -> None:
        if state.handles == 0 and not state.dirty and state.size == os.fstat(state.fd).st_size:
            status = os.fstat(state.fd)
            if self.files.get((status.st_dev, status.st_ino)) is state:
                del self.files[(status.st_dev, status.st_ino)]
            os.close(state.fd)

    def _handle(self, state: VolatileFile) -> int:
        state.handles += 1
        handle = self.next_handle
        self.next_handle += 1
        self.handles[handle] = state
        return handle

    # --- Files ---------------------------------------------------------------------------

    def getattr(self, path: str | None, fh: int | None = None) -> dict[str, Any]:
        with self.mutex:
            state: VolatileFile | None
            if fh is not None and fh in self.handles:
                state = self.handles[fh]
                status = os.fstat(state.fd)
            else:
                assert path is not None
                status = os.lstat(self._path(path))
                state = self.files.get((status.st_dev, status.st_ino))
            attributes = {
                key: getattr(status, key)
                for key in (
                    "st_mode",
                    "st_nlink",
                    "st_uid",
                    "st_gid",
                    "st_size",
                    "st_atime_ns",
                    "st_mtime_ns",
                    "st_ctime_ns",
                    "st_blocks",
                )
            }
            for name in ("atime", "mtime", "ctime"):
                attributes[f"st_{name}"] = attributes.pop(f"st_{name}_ns")
            if state is not None:
                attributes["st_size"] = state.size
            return attributes

    def create(self, path: str, mode: int, flags: int = 0) -> int:
        with self.mutex:
            real = self._path(path)
            existed = os.path.lexists(real)
            state = self._file(real, os.O_CREAT | (flags & os.O_EXCL))
            if not existed:
                os.fchmod(state.fd, mode & 0o7777)
                self._own(real)
            if flags & os.O_TRUNC:
                state.truncate(0)
            return self._handle(state)

    def open(self, path: str, flags: int) -> int:
        with self.mutex:
            state = self._file(self._path(path))
            if flags & os.O_TRUNC:
                state.truncate(0)
            return self._handle(state)

    def read(self, path: str | None, size: int, offset: int, fh: int) -> bytes:
        with self.mutex:
            return self.handles[fh].read(size, offset)

    def write(self, path: str | None, data: bytes, offset: int, fh: int) -> int:
        with self.mutex:
            return self.handles[fh].write(data, offset)

    def truncate(self, path: str | None, length: int, fh: int | None = None) -> int:
        with self.mutex:
            state: VolatileFile | None
            if fh is not None and fh in self.handles:
                state = self.handles[fh]
            else:
                assert path is not None
                state = self._file(self._path(path))
            state.truncate(length)
            self._release_if_idle(state)
            return 0

    def fallocate(self, path: str | None, mode: int, offset: int, size: int, fh: int) -> int:
        if mode != 0:
            raise mfusepy.FuseOSError(errno.EOPNOTSUPP)
        with self.mutex:
            state = self.handles[fh]
            if offset + size > state.size:
                state.truncate(offset + size)
            return 0

    def fsync(self, path: str | None, datasync: int, fh: int) -> int:
        with self.mutex:
            self.handles[fh].persist()
            return 0

    def flush(self, path: str | None, fh: int) -> int:
        return 0  # a close is no fsync

    def release(self, path: str | None, fh: int) -> int:
        with self.mutex:
            state = self.handles.pop(fh)
            state.handles -= 1
            if state.handles == 0 and os.fstat(state.fd).st_nlink == 0:
                os.close(state.fd)  # unlinked and closed: its data is gone, synced or not
            else:
                self._release_if_idle(state)
            return 0

    # --- Names, folders and metadata: applied to the backing folder at once ----------------

    def opendir(self, path: str) -> int:
        with self.mutex:
            handle = self.next_handle
            self.next_handle += 1
            self.folders[handle] = self._path(path)
            return handle

    def readdir(self, path: str | None, fh: int) -> list[str]:
        with self.mutex:
            folder = self.folders[fh]
        return [".", "..", *os.listdir(folder)]

    def releasedir(self, path: str | None, fh: int) -> int:
        with self.mutex:
            self.folders.pop(fh, None)
            return 0

    def mkdir(self, path: str, mode: int) -> int:
        os.mkdir(self._path(path), mode)
        os.chmod(self._path(path), mode & 0o7777)  # not narrowed by this process's umask
        self._own(self._path(path))
        return 0

    def rmdir(self, path: str) -> int:
        os.rmdir(self._path(path))
        return 0

    def unlink(self, path: str) -> int:
        with self.mutex:
            os.unlink(self._path(path))
            self._forget_unlinked()
            return 0

    def rename(self, old: str, new: str) -> int:
        with self.mutex:
            os.rename(self._path(old), self._path(new))
            self._forget_unlinked()
            return 0

    def link(self, target: str, source: str) -> int:
        os.link(self._path(source), self._path(target))
        return 0

    def symlink(self, target: str, source: str) -> int:
        os.symlink(source, self._path(target))
        self._own(self._path(target))
        return 0

    def readlink(self, path: str) -> str:
        return os.readlink(self._path(path))

    # An open file's metadata changed through its handle (fchmod, futimens) arrives without a
    # path; nothing this test runs does it, and it changes no data, so it is let pass.

    def chmod(self, path: str | None, mode: int) -> int:
        if path is not None:
            os.chmod(self._path(path), mode)
        return 0

    def chown(self, path: str | None, uid: int, gid: int) -> int:
        if path is not None:
            os.chown(self._path(path), uid, gid, follow_symlinks=False)
        return 0

    def utimens(self, path: str | None, times: tuple[int, int] | None = None) -> int:
        if path is not None and times is not None:
            os.utime(self._path(path), ns=times, follow_symlinks=False)
        elif path is not None:
            os.utime(self._path(path), follow_symlinks=False)
        return 0

    def statfs(self, path: str) -> dict[str, int]:
        status = os.statvfs(self._path(path))
        return {
            key: getattr(status, key)
            for key in (
                "f_bsize",
                "f_frsize",
                "f_blocks",
                "f_bfree",
                "f_bavail",
                "f_files",
                "f_ffree",
                "f_favail",
                "f_namemax",
            )
        }

    def fsyncdir(self, path: str | None, datasync: int, fh: int) -> int:
        return 0  # names are on the backing folder already

    def destroy(self, path: str) -> None:
        """A clean unmount: the operating system writes its caches back before it goes."""
        with self.mutex:
            for state in self.files.values():
                state.persist()

    # --- The power cut ------------------------------------------------------------------------

    def cut_power(self, seed: str, keep: float) -> dict[str, Any]:
        """Write each unsynced sector with probability ``keep``; the caller then exits at once,
        still holding the lock, so no request is served after the cut."""
        rng = random.Random(seed)
        written = dirty = files = 0
        for key in sorted(self.files):
            state = self.files[key]
            if state.dirty or state.size != os.fstat(state.fd).st_size:
                files += 1
                kept, pending = state.persist(rng, keep)
                written += kept
                dirty += pending
        return {"seed": seed, "keep": keep, "files": files, "sectors": dirty, "written": written}


def _control(filesystem: VolatileCacheFS, mountpoint: str) -> None:
    """Read commands from standard input: ``cut SEED KEEP``; at its end, unmount and go."""
    for line in sys.stdin:
        words = line.split()
        if len(words) == 3 and words[0] == "cut":
            filesystem.mutex.acquire()  # held until the process is gone
            report = filesystem.cut_power(words[1], float(words[2]))
            sys.stdout.write(json.dumps(report) + "\n")
            sys.stdout.flush()
            os._exit(0)
    fusermount = shutil.which("fusermount3") or shutil.which("fusermount") or "fusermount"
    subprocess.run([fusermount, "-u", "-z", mountpoint], check=False)
    os._exit(0)


class _FUSE(mfusepy.FUSE):  # type: ignore[misc]
    """mfusepy's truncate for libfuse 3 drops the handle an ftruncate comes with, which a file
    reached by handle alone (``flag_nopath``) needs."""

    def truncate_fuse_3(self, path: bytes | None, length: int, fip: Any) -> int:
        handle = fip.contents.fh if fip else None
        name = None if path is None else path.decode(self.encoding, self.errors)
        result: int = self.operations.truncate(name, length, handle)
        return result


def main() -> None:
    backing, mountpoint = sys.argv[1], sys.argv[2]
    options = {"allow_other": True} if "--allow-other" in sys.argv[3:] else {}
    filesystem = VolatileCacheFS(backing)
    threading.Thread(target=_control, args=(filesystem, mountpoint), daemon=True).start()
    _FUSE(
        filesystem,
        mountpoint,
        foreground=True,
        nothreads=True,
        hard_remove=True,
        fsname="volatile-cache",
        **options,
    )


if __name__ == "__main__":
    main()
