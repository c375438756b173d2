package dev.jvisor.sentry.vfs;

/**
 * A position in the mount tree: a dentry as seen through one mount (Linux's {@code struct path}). Equality is
 * identity of both parts, since neither Mount nor Dentry overrides equals.
 */
public record VirtualDentry(Mount mount, Dentry dentry) {
    public Inode inode() {
        return dentry.inode();
    }
}
