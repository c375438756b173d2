package dev.jvisor.sentry.vfs;

import java.lang.foreign.MemorySegment;

/**
 * An open file description (what an fd points to). SKELETON: the owner of package vfs extends this; the methods
 * here are the contract that the loader and mm use: positional reads into sentry memory.
 */
public abstract class FileDescription {
    /** Reads up to {@code dst.byteSize()} bytes at {@code offset} into {@code dst}. Returns bytes or -errno. */
    public abstract long pread(MemorySegment dst, long offset);

    /** Size in bytes (for the loader's bounds checks), or -errno. */
    public abstract long size();
}
