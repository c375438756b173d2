package dev.jvisor.sentry.vfs;

import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;

/** TEST ONLY: tasks with a filesystem context and an fd table, but no memory or platform. */
public final class TestTasks {
    private TestTasks() {}

    /** A task of {@code uid}:{@code uid} rooted at the tree's root, cwd {@code cwd}, umask 022. */
    public static Task task(VirtualFilesystem vfs, int pid, int uid, String cwd) {
        Kernel k = new Kernel(null, null, vfs, "test");
        Task t = new Task(k, new ThreadGroup(pid, 1), pid, new Credentials(uid, uid, new int[0]));
        t.fs(vfs.newFsContext(cwd, 022));
        t.fdTable(new FdTable());
        return t;
    }

    public static Task root(VirtualFilesystem vfs) {
        return task(vfs, 1, 0, "/");
    }
}
