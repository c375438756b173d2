package dev.jvisor.sentry.vfs;

/** One directory entry as a filesystem lists it: name, inode number and d_type. */
public record DirEntry(String name, long ino, int type) {}
