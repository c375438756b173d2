package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.Mman;
import dev.jvisor.sentry.mm.Vma;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Kstat;
import java.util.List;
import java.util.function.Function;

/** /proc/[pid]/maps: one line per VMA, in the kernel's layout. */
final class ProcMaps {
    /** The column where the path starts: the kernel pads the fixed fields of a 64-bit line to this width. */
    static final int NAME_COLUMN = 73;

    private ProcMaps() {}

    /**
     * The maps text of {@code vmas}. A file mapping shows the file's device, inode and the path
     * {@code pathOf} gives for it (null: the name the VMA was given); anonymous memory shows 00:00 0 and its name
     * ([heap], [stack]) if any.
     */
    static String text(List<Vma> vmas, Function<Vma, String> pathOf) {
        StringBuilder sb = new StringBuilder(vmas.size() * 100);
        Kstat st = new Kstat();
        for (Vma v : vmas) {
            int lineStart = sb.length();
            long ino = 0;
            int major = 0;
            int minor = 0;
            String name = v.name();
            if (v.file() != null) {
                Inode i = v.file().inode();
                if (i != null) {
                    i.stat(st);
                    ino = st.ino;
                    major = st.devMajor;
                    minor = st.devMinor;
                }
                String p = pathOf.apply(v);
                if (p != null) {
                    name = p;
                }
            }
            sb.append(String.format("%08x-%08x %c%c%c%c %08x %02x:%02x %d ", v.start(), v.end(),
                    (v.prot() & Mman.PROT_READ) != 0 ? 'r' : '-', v.writable() ? 'w' : '-',
                    (v.prot() & Mman.PROT_EXEC) != 0 ? 'x' : '-', v.shared() ? 's' : 'p',
                    v.file() == null ? 0 : v.fileOffset(), major, minor, ino));
            if (!name.isEmpty()) {
                while (sb.length() - lineStart < NAME_COLUMN) {
                    sb.append(' ');
                }
                sb.append(name);
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
