package dev.jvisor.sentry.loader;

import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.FileDescription;
import java.util.List;

/**
 * Loads an ELF64 x86-64 executable into a task's (empty) address space, builds its initial stack, and resets its
 * registers and FP state to start at the entry point. SKELETON: the owner of package loader implements it.
 */
public final class ElfLoader {
    private ElfLoader() {}

    /**
     * @throws LoadException naming why the file cannot run (ENOEXEC for a non-ELF or wrong-architecture file,
     *     ELIBBAD for a corrupt one, and so on)
     */
    public static void load(Task t, FileDescription exe, String execfn, List<String> argv, List<String> envp) {
        throw new UnsupportedOperationException("loader: not yet implemented");
    }
}
