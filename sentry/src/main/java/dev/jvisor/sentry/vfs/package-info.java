/**
 * The virtual filesystem: the mount tree, path resolution, open file descriptions and fd tables.
 *
 * <h2>Objects and ownership</h2>
 * <ul>
 *   <li>{@link dev.jvisor.sentry.vfs.VirtualFilesystem}: one per sandbox (held by the Kernel). Owns the mount
 *       table; resolution ({@code PathWalk}) runs on the calling task's thread and holds no lock across a
 *       walk.</li>
 *   <li>{@link dev.jvisor.sentry.vfs.Filesystem}, {@link dev.jvisor.sentry.vfs.Inode}: one filesystem
 *       instance and its files; an inode guards its own contents (see each filesystem).</li>
 *   <li>{@link dev.jvisor.sentry.vfs.Dentry}: a name bound to an inode, per filesystem. Dentries are never
 *       freed while their parent caches them; mounts pin their mountpoint dentry.</li>
 *   <li>{@link dev.jvisor.sentry.vfs.Mount}, {@link dev.jvisor.sentry.vfs.VirtualDentry}: immutable.</li>
 *   <li>{@link dev.jvisor.sentry.vfs.FileDescription}: shared by fds, reference counted. Whoever holds a
 *       reference (an fd table slot, or a syscall that called {@link dev.jvisor.sentry.vfs.FdTable#get})
 *       drops it with {@code decRef}; the last one releases host resources.</li>
 *   <li>{@link dev.jvisor.sentry.vfs.FdTable}, {@link dev.jvisor.sentry.vfs.FsContext}: one per task (shared
 *       by threads once CLONE_FILES / CLONE_FS exist), each guarded by its own monitor.</li>
 * </ul>
 *
 * <h2>Lock order</h2>
 * Take locks only in this order, and never call into a filesystem while holding an FdTable or FsContext
 * monitor:
 * <ol>
 *   <li>FdTable monitor, FsContext monitor (leaf locks: held only to read or swap references; a description
 *       is released after the FdTable monitor is dropped);</li>
 *   <li>FileDescription offset lock ({@code read}, {@code write}, {@code seek}, {@code getdents});</li>
 *   <li>a parent Dentry's monitor (creation of a child, so two creators do not race);</li>
 *   <li>the overlay's copy-up lock ({@code OverlayFilesystem.copyUpLock});</li>
 *   <li>inode monitors (a tmpfs directory, then a tmpfs file; never two files at once);</li>
 *   <li>the mount table ({@code VirtualFilesystem} monitor, for mount(2) only; walks read the concurrent
 *       table without it).</li>
 * </ol>
 *
 * <h2>Names</h2>
 * Paths and names are Java strings; {@code VirtualFilesystem.NAME_CHARSET} (UTF-8, as mm's readCString and the
 * gofer wire use) turns them into bytes, and limits are byte counts: PATH_MAX 4096 with the NUL, NAME_MAX 255.
 */
package dev.jvisor.sentry.vfs;
